#include "flashsim/BundleOperations.hxx"

#include "flashsim/Errors.hxx"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

namespace flashsim {
namespace Operations {
namespace {

using Json = nlohmann::json;

[[noreturn]] void Fail(const std::string &where, const std::string &what)
{
   throw BundleError("flashsim: " + where + ": " + what);
}

bool IsCollectionName(const std::string &name)
{
   if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0])))
      return false;
   return std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

/// The shortest float literal that reads back as float(value), e.g. 0.4f, 2.f, 1e+30f.
std::string FloatLiteral(double value, const std::string &where)
{
   if (!std::isfinite(value) || std::fabs(value) > 3.4e38)
      Fail(where, "expected a finite number that fits a float");
   const float target = static_cast<float>(value);
   char text[64];
   for (int digits = 1; digits <= 9; ++digits) {
      std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(target));
      if (std::strtof(text, nullptr) == target)
         break;
   }
   std::string out = text;
   if (out.find_first_of(".e") == std::string::npos)
      out += ".";
   return out + "f";
}

// ---------------------------------------------------------------------------------------------
// the cut grammar

struct Token {
   enum Kind { kName, kNumber, kSymbol, kEnd } kind;
   std::string text;
};

std::vector<Token> Tokens(const std::string &text, const std::string &where)
{
   std::vector<Token> out;
   std::size_t i = 0;
   while (i < text.size()) {
      const unsigned char c = text[i];
      if (std::isspace(c)) {
         ++i;
      } else if (std::isalpha(c)) {
         std::size_t j = i;
         while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
            ++j;
         out.push_back({Token::kName, text.substr(i, j - i)});
         i = j;
      } else if (std::isdigit(c) || (c == '.' && i + 1 < text.size() && std::isdigit((unsigned char)text[i + 1]))) {
         std::size_t j = i;
         while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
            ++j;
         if (j < text.size() && text[j] == '.')
            for (++j; j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]));)
               ++j;
         if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
            std::size_t k = j + 1;
            if (k < text.size() && (text[k] == '+' || text[k] == '-'))
               ++k;
            if (k >= text.size() || !std::isdigit(static_cast<unsigned char>(text[k])))
               Fail(where, "a number with an exponent needs its digits, in '" + text + "'");
            for (j = k; j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]));)
               ++j;
         }
         if (j < text.size() && text[j] == 'f')
            ++j;
         if (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
            Fail(where, "'" + text.substr(i, j - i + 1) + "...' is not a number, in '" + text + "'");
         out.push_back({Token::kNumber, text.substr(i, j - i)});
         i = j;
      } else {
         static const char *symbols[] = {"&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "-"};
         bool found = false;
         for (const char *symbol : symbols) {
            const std::string s = symbol;
            if (text.compare(i, s.size(), s) == 0) {
               out.push_back({Token::kSymbol, s});
               i += s.size();
               found = true;
               break;
            }
         }
         if (!found)
            Fail(where, std::string("'") + text[i] +
                           "' is not part of the cut grammar (columns, numbers, abs(), "
                           "comparisons, &&, ||, !, parentheses), in '" +
                           text + "'");
      }
   }
   out.push_back({Token::kEnd, ""});
   return out;
}

class CutParser {
public:
   CutParser(const std::string &text, const std::string &where)
      : fText(text), fWhere(where), fTokens(Tokens(text, where))
   {
   }

   Cut Parse()
   {
      if (fTokens.front().kind == Token::kEnd)
         Fail(fWhere, "the cut is empty");
      Cut cut;
      cut.expression = Or();
      if (Peek().kind != Token::kEnd)
         Error("unexpected '" + Peek().text + "'");
      cut.inputs = fInputs;
      return cut;
   }

private:
   const Token &Peek() const { return fTokens[fPos]; }
   bool Accept(const std::string &symbol)
   {
      if (Peek().kind == Token::kSymbol && Peek().text == symbol) {
         ++fPos;
         return true;
      }
      return false;
   }
   [[noreturn]] void Error(const std::string &what) const { Fail(fWhere, what + " in the cut '" + fText + "'"); }

   std::string Or()
   {
      std::string out = And();
      while (Accept("||"))
         out += " || " + And();
      return out;
   }
   std::string And()
   {
      std::string out = Unary();
      while (Accept("&&"))
         out += " && " + Unary();
      return out;
   }
   std::string Unary()
   {
      if (Accept("!"))
         return "!" + Unary();
      if (Accept("(")) {
         std::string inner = Or();
         if (!Accept(")"))
            Error("a '(' without its ')'");
         return "(" + inner + ")";
      }
      const std::string left = Term();
      static const std::set<std::string> comparisons = {"==", "!=", "<", "<=", ">", ">="};
      if (Peek().kind != Token::kSymbol || !comparisons.count(Peek().text))
         Error("expected a comparison (== != < <= > >=) after '" + left + "'");
      const std::string op = fTokens[fPos++].text;
      return "(" + left + " " + op + " " + Term() + ")";
   }
   std::string Term()
   {
      const Token token = Peek();
      if (Accept("-")) {
         if (Peek().kind != Token::kNumber)
            Error("'-' only goes before a number");
         return "-" + fTokens[fPos++].text;
      }
      if (token.kind == Token::kNumber) {
         ++fPos;
         return token.text;
      }
      if (token.kind == Token::kName && token.text == "abs") {
         ++fPos;
         if (!Accept("("))
            Error("expected '(' after abs");
         const std::string column = Column();
         if (!Accept(")"))
            Error("abs() takes one column");
         return "abs(" + column + ")";
      }
      return Column();
   }
   std::string Column()
   {
      const Token token = Peek();
      if (token.kind != Token::kName)
         Error("expected a column, got '" + token.text + "'");
      if (!IsColumnName(token.text))
         Error("'" + token.text + "' is not a column name (Collection_branch or nCollection)");
      ++fPos;
      if (std::find(fInputs.begin(), fInputs.end(), token.text) == fInputs.end())
         fInputs.push_back(token.text);
      return token.text;
   }

   std::string fText;
   std::string fWhere;
   std::vector<Token> fTokens;
   std::size_t fPos = 0;
   std::vector<std::string> fInputs;
};

// ---------------------------------------------------------------------------------------------
// the operations

/// One entry's parameters, each read once: what is left over at the end is an error.
class Params {
public:
   Params(const Json &node, std::string where) : fNode(node), fWhere(std::move(where)) {}

   const Json &Get(const std::string &key)
   {
      const auto it = fNode.find(key);
      if (it == fNode.end())
         Fail(fWhere, "missing parameter '" + key + "' of operation '" + fNode.value("op", std::string()) + "'");
      fUsed.insert(key);
      return *it;
   }
   bool Has(const std::string &key) const { return fNode.contains(key); }
   std::string At(const std::string &key) const { return fWhere + "." + key; }

   std::string String(const std::string &key)
   {
      const Json &value = Get(key);
      if (!value.is_string())
         Fail(At(key), "expected a string, got " + std::string(value.type_name()));
      return value.get<std::string>();
   }
   /// A column the expression reads.
   std::string Column(const std::string &key)
   {
      const std::string name = String(key);
      if (!IsColumnName(name))
         Fail(At(key), "'" + name + "' is not a column name (Collection_branch or nCollection)");
      Read(name);
      return name;
   }
   std::vector<std::string> Columns(const std::string &key)
   {
      const Json &value = Get(key);
      if (!value.is_array() || value.empty())
         Fail(At(key), "expected a non-empty list of column names");
      std::vector<std::string> out;
      for (const Json &name : value) {
         if (!name.is_string() || !IsColumnName(name.get<std::string>()))
            Fail(At(key), "expected a list of column names, found " + name.dump());
         out.push_back(name.get<std::string>());
         Read(out.back());
      }
      return out;
   }
   /// A collection prefix, e.g. GenPart; its branches are read through Read(prefix_branch).
   std::string Collection(const std::string &key)
   {
      const std::string name = String(key);
      if (!IsCollectionName(name))
         Fail(At(key), "'" + name + "' is not a collection name (a capital letter, then letters and digits)");
      return name;
   }
   std::string Float(const std::string &key, double fallback)
   {
      if (!Has(key))
         return FloatLiteral(fallback, At(key));
      const Json &value = Get(key);
      if (!value.is_number())
         Fail(At(key), "expected a number, got " + std::string(value.type_name()));
      return FloatLiteral(value.get<double>(), At(key));
   }
   long Integer(const std::string &key, long lo, long hi)
   {
      const Json &value = Get(key);
      if (!value.is_number_integer() || value.get<long>() < lo || value.get<long>() > hi)
         Fail(At(key),
              "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + value.dump());
      return value.get<long>();
   }
   std::vector<long> Integers(const std::string &key, long lo, long hi)
   {
      const Json &value = Get(key);
      if (!value.is_array() || value.empty())
         Fail(At(key), "expected a non-empty list of integers");
      std::vector<long> out;
      for (const Json &v : value) {
         if (!v.is_number_integer() || v.get<long>() < lo || v.get<long>() > hi)
            Fail(At(key),
                 "expected integers in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " + v.dump());
         out.push_back(v.get<long>());
      }
      return out;
   }
   std::string Choice(const std::string &key, const std::vector<std::string> &choices)
   {
      const std::string value = String(key);
      if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
         std::string list;
         for (const auto &c : choices)
            list += (list.empty() ? "" : ", ") + c;
         Fail(At(key), "expected one of " + list + ", got '" + value + "'");
      }
      return value;
   }
   /// A cut (the grammar above) as an expression; empty when the parameter is optional and absent.
   std::string CutOf(const std::string &key, bool optional)
   {
      if (optional && !Has(key))
         return "";
      const Cut cut = ParseCut(String(key), At(key));
      for (const auto &input : cut.inputs)
         Read(input);
      return cut.expression;
   }
   void Read(const std::string &column)
   {
      if (std::find(fInputs.begin(), fInputs.end(), column) == fInputs.end())
         fInputs.push_back(column);
   }
   const std::vector<std::string> &Inputs() const { return fInputs; }

   void CheckAllUsed() const
   {
      for (auto it = fNode.begin(); it != fNode.end(); ++it)
         if (!fUsed.count(it.key())) {
            const std::string hint = it.key() == "expression" || it.key() == "inputs"
                                        ? " ('" + it.key() +
                                             "' belongs to manifest format 1, whose free C++ text "
                                             "is read only with --allow-bundle-code)"
                                        : "";
            Fail(fWhere,
                 "operation '" + fNode.value("op", std::string()) + "' has no parameter '" + it.key() + "'" + hint);
         }
   }

private:
   const Json &fNode;
   std::string fWhere;
   std::set<std::string> fUsed;
   std::vector<std::string> fInputs;
};

using Operation = std::function<std::string(Params &)>;

std::string Masked(const std::string &column, const std::string &mask)
{
   return mask.empty() ? column : column + "[" + mask + "]";
}

const std::map<std::string, Operation> &Registry()
{
   static const std::map<std::string, Operation> registry = {
      // genPartFlav-like origin of every gen particle: 1 prompt, 15 from a prompt tau, else the
      // heaviest hadron flavour among the ancestors (5 b, 4 c), else 3 (light): NanoAOD's convention
      {"gen_origin",
       [](Params &p) {
          const std::string of = p.Collection("of");
          const std::string pdgId = of + "_pdgId", flags = of + "_statusFlags", mother = of + "_genPartIdxMother";
          for (const auto &c : {pdgId, flags, mother})
             p.Read(c);
          return "ROOT::RVecF out(" + pdgId +
                 ".size(), 3.f);\n"
                 "for (std::size_t i = 0; i < out.size(); ++i) {\n"
                 "   int hf = 0;\n"
                 "   int m = " +
                 mother +
                 "[i];\n"
                 "   for (int step = 0; m >= 0 && step < 64; ++step) {\n"
                 "      hf = std::max(hf, flashsim::GenParticles::HadronFlavour(int(" +
                 pdgId +
                 "[m])));\n"
                 "      m = " +
                 mother +
                 "[m];\n"
                 "   }\n"
                 "   if (hf) out[i] = hf;\n"
                 "   if (" +
                 flags +
                 "[i] & 1) out[i] = 1;\n"
                 "   if (" +
                 flags +
                 "[i] & ((1 << 3) | (1 << 5))) out[i] = 15;\n"
                 "}\n"
                 "return out;";
       }},
      // 1 where any of the status-flag bits is set, e.g. isPrompt (0), isTauDecayProduct (3, 5)
      {"status_flags",
       [](Params &p) {
          const std::string of = p.Column("of");
          long mask = 0;
          for (long bit : p.Integers("bits", 0, 30))
             mask |= 1L << bit;
          return "ROOT::RVecF((" + of + " & " + std::to_string(mask) + ") != 0)";
       }},
      // a charged lepton's charge from its PDG id (11, 13, 15 are negative)
      {"lepton_charge",
       [](Params &p) {
          const std::string of = p.Column("of");
          return "ROOT::RVecF(-1.f * (" + of + " > 0) + 1.f * (" + of + " < 0))";
       }},
      // hadronic activity around each object: pt of the closest jet within radius minus its own pt
      {"activity_around",
       [](Params &p) {
          const std::string of = p.Collection("of"), jets = p.Collection("jets");
          const std::string radius = p.Float("radius", 0.4);
          for (const auto &c : {of + "_pt", of + "_eta", of + "_phi", jets + "_pt", jets + "_eta", jets + "_phi"})
             p.Read(c);
          return "const auto j = flashsim::Neighbours::ClosestIndex(" + of + "_eta, " + of + "_phi, " + jets +
                 "_eta, " + jets + "_phi, " + radius +
                 ");\n"
                 "ROOT::RVecF out(j.size(), 0.f);\n"
                 "for (std::size_t i = 0; i < out.size(); ++i)\n"
                 "   if (j[i] >= 0) out[i] = std::max(0.f, float(" +
                 jets + "_pt[j[i]] - " + of +
                 "_pt[i]));\n"
                 "return out;";
       }},
      // distance in (eta, phi) from each object of `of` to the nearest object of `to` (passing `select`)
      {"nearest_delta_r",
       [](Params &p) {
          const std::string of = p.Collection("of"), to = p.Collection("to");
          const std::string mask = p.CutOf("select", true);
          for (const auto &c : {of + "_eta", of + "_phi", to + "_eta", to + "_phi"})
             p.Read(c);
          return "ROOT::RVecF(flashsim::Neighbours::NearestDeltaR(" + of + "_eta, " + of + "_phi, " +
                 Masked(to + "_eta", mask) + ", " + Masked(to + "_phi", mask) + "))";
       }},
      // pt of the objects of `to` (passing `select`) within `radius` of each object of `of`, over its pt
      {"pt_fraction_within",
       [](Params &p) {
          const std::string of = p.Collection("of"), to = p.Collection("to");
          const std::string mask = p.CutOf("select", true);
          const std::string radius = p.Float("radius", 0.4);
          for (const auto &c : {of + "_pt", of + "_eta", of + "_phi", to + "_pt", to + "_eta", to + "_phi"})
             p.Read(c);
          return "flashsim::Neighbours::PtFractionWithin(" + of + "_pt, " + of + "_eta, " + of + "_phi, " +
                 Masked(to + "_pt", mask) + ", " + Masked(to + "_eta", mask) + ", " + Masked(to + "_phi", mask) + ", " +
                 radius + ")";
       }},
      // how many objects of `to` (passing `select`) lie within `radius` of each object of `of`, e.g. the
      // hard-process quarks inside a gen AK8 jet (its prongs), which set its substructure
      {"count_within",
       [](Params &p) {
          const std::string of = p.Collection("of"), to = p.Collection("to");
          const std::string mask = p.CutOf("select", true);
          const std::string radius = p.Float("radius", 0.4);
          for (const auto &c : {of + "_eta", of + "_phi", to + "_eta", to + "_phi"})
             p.Read(c);
          return "ROOT::RVecF(flashsim::Neighbours::CountWithin(" + of + "_eta, " + of + "_phi, " +
                 Masked(to + "_eta", mask) + ", " + Masked(to + "_phi", mask) + ", " + radius + "))";
       }},
      // the hadron flavour of a PDG id: 5 for b hadrons, 4 for c hadrons, else 0 (quarks, leptons, light hadrons)
      {"hadron_flavour",
       [](Params &p) {
          const std::string of = p.Column("of");
          return "ROOT::RVecF out(" + of +
                 ".size());\n"
                 "for (std::size_t i = 0; i < out.size(); ++i)\n"
                 "   out[i] = flashsim::GenParticles::HadronFlavour(int(" +
                 of +
                 "[i]));\n"
                 "return out;";
       }},
      // per object: `value` where the cut holds, else 0 (e.g. the |eta| bins, the HEM region)
      {"indicator",
       [](Params &p) {
          const std::string cut = p.CutOf("cut", false);
          return "ROOT::RVecF(" + p.Float("value", 1.0) + " * (" + cut + "))";
       }},
      {"abs", [](Params &p) { return "ROOT::VecOps::abs(" + p.Column("of") + ")"; }},
      // per event: the sum of a column over the objects passing `select` (e.g. HT)
      {"sum",
       [](Params &p) {
          const std::string of = p.Column("of");
          return "float(ROOT::VecOps::Sum(" + Masked(of, p.CutOf("select", true)) + "))";
       }},
      // per event: how many objects pass the cut
      {"count", [](Params &p) { return "float(ROOT::VecOps::Sum(" + p.CutOf("select", false) + "))"; }},
      // per object: the sum of integer columns, stopped at `max`, e.g. Jet_nConstituents
      {"multiplicity_sum",
       [](Params &p) {
          const std::vector<std::string> of = p.Columns("of");
          const long max = p.Integer("max", 0, 2147483647);
          const std::string type = p.Choice("type", {"UChar_t", "Short_t", "Int_t"});
          std::string sum;
          for (const auto &c : of)
             sum += (sum.empty() ? "" : " + ") + std::string("int(") + c + "[i])";
          return "ROOT::RVec<" + type + "> out(" + of.front() +
                 ".size()); for (std::size_t i = 0; i < out.size(); ++i) "
                 "out[i] = " +
                 type + "(std::min(" + std::to_string(max) + ", " + sum + ")); return out;";
       }},
      // a charged lepton's PDG id from its charge
      {"pdg_id_from_charge",
       [](Params &p) {
          const std::string of = p.Column("of");
          return "ROOT::RVecI(-" + std::to_string(p.Integer("pdg_id", 1, 1000000)) + " * " + of + ")";
       }},
      // the same number for every object of a collection, e.g. the muon mass
      {"constant",
       [](Params &p) {
          const std::string like = p.Column("like");
          return "ROOT::RVecF(" + like + ".size(), " + p.Float("value", 0.0) + ")";
       }},
      // the index of the closest object of `to` within `radius` of each object of `from`, else -1
      {"closest_index",
       [](Params &p) {
          const std::string from = p.Collection("from"), to = p.Collection("to");
          const std::string radius = p.Float("radius", 0.4);
          const std::string only = p.CutOf("select", true); // e.g. the muons from b and c hadrons (Muon_svIdx)
          for (const auto &c : {from + "_eta", from + "_phi", to + "_eta", to + "_phi"})
             p.Read(c);
          const std::string closest = "flashsim::Neighbours::ClosestIndex(" + from + "_eta, " + from + "_phi, " + to +
                                      "_eta, " + to + "_phi, " + radius + ")";
          if (only.empty())
             return closest;
          return "auto out = " + closest + ";\nconst auto chosen = " + only +
                 ";\nfor (std::size_t i = 0; i < out.size(); ++i)\n   if (!chosen[i]) out[i] = -1;\nreturn out;";
       }},
      // the index of the object of `to` made from the same gen particle as each object of `from`
      // (equal `index` branches, e.g. genPartIdx, both >= 0), else -1: the shared-supercluster link
      {"same_gen_index",
       [](Params &p) {
          const std::string from = p.Collection("from"), to = p.Collection("to");
          const std::string branch = p.String("index");
          if (!IsColumnName(from + "_" + branch))
             Fail(p.At("index"), "'" + branch + "' is not a branch name (letters, digits, _)");
          p.Read(from + "_" + branch);
          p.Read(to + "_" + branch);
          return "flashsim::Neighbours::SameGenIndex(" + from + "_" + branch + ", " + to + "_" + branch + ")";
       }},
      // the `rank`-th object whose index column points at each object (of the size of `size_of`), else -1
      {"inverse_index",
       [](Params &p) {
          const std::string index = p.Column("index"), size = p.Column("size_of");
          return "flashsim::Neighbours::InverseIndex(" + index + ", " + size + ".size(), " +
                 std::to_string(p.Integer("rank", 0, 255)) + ")";
       }},
      // the `rank`-th object of `from` (in its order) whose closest object of `to` within `radius` is each
      // object of `to`, else -1 (FatJet_subJetIdx1/2: the subjets lie inside their fat jet)
      {"inverse_closest_index",
       [](Params &p) {
          const std::string from = p.Collection("from"), to = p.Collection("to");
          const std::string radius = p.Float("radius", 0.4);
          const long rank = p.Integer("rank", 0, 255);
          for (const auto &c : {from + "_eta", from + "_phi", to + "_eta", to + "_phi"})
             p.Read(c);
          return "flashsim::Neighbours::InverseIndex(flashsim::Neighbours::ClosestIndex(" + from + "_eta, " + from +
                 "_phi, " + to + "_eta, " + to + "_phi, " + radius + "), " + to + "_eta.size(), " +
                 std::to_string(rank) + ")";
       }},
      // per event: the vector sum of the pt of the objects of `of` passing `select`, projected on the
      // direction `along` (a per-event phi, e.g. GenMET_phi) or across it (the jets' share of the MET)
      {"vector_sum",
       [](Params &p) {
          const std::string of = p.Collection("of"), along = p.Column("along");
          const std::string mask = p.CutOf("select", true);
          const std::string component = p.Choice("component", {"parallel", "perpendicular"});
          for (const auto &c : {of + "_pt", of + "_phi"})
             p.Read(c);
          const std::string trig = component == "parallel" ? "std::cos" : "std::sin";
          return "const auto pt = " + Masked(of + "_pt", mask) + ";\n" +
                 "const auto phi = " + Masked(of + "_phi", mask) +
                 ";\n"
                 "double s = 0.;\n"
                 "for (std::size_t i = 0; i < pt.size(); ++i)\n"
                 "   s += double(pt[i]) * " +
                 trig + "(double(phi[i]) - double(" + along +
                 "));\n"
                 "return float(s);";
       }},
      // how many objects point at each object (stops at 255)
      // how many objects of `from` have this object of `to` as their closest within `radius` (Jet_nSVs)
      {"count_closest",
       [](Params &p) {
          const std::string from = p.Collection("from"), to = p.Collection("to");
          const std::string radius = p.Float("radius", 0.4);
          for (const auto &c : {from + "_eta", from + "_phi", to + "_eta", to + "_phi"})
             p.Read(c);
          return "flashsim::Neighbours::CountPointing(flashsim::Neighbours::ClosestIndex(" + from + "_eta, " + from +
                 "_phi, " + to + "_eta, " + to + "_phi, " + radius + "), " + to + "_eta.size())";
       }},
      {"count_pointing",
       [](Params &p) {
          const std::string index = p.Column("index"), size = p.Column("size_of");
          return "flashsim::Neighbours::CountPointing(" + index + ", " + size + ".size())";
       }},
   };
   return registry;
}

} // namespace

bool IsColumnName(const std::string &name)
{
   if (name.size() < 2 || !std::isalpha(static_cast<unsigned char>(name[0])))
      return false;
   if (!std::all_of(name.begin(), name.end(),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
      return false;
   if (name.size() > 2 && name.compare(name.size() - 2, 2, "_t") == 0)
      return false; // UChar_t and the like are types
   const bool counter = name[0] == 'n' && std::isupper(static_cast<unsigned char>(name[1]));
   return counter || (name.find('_') != std::string::npos && name.back() != '_');
}

Cut ParseCut(const std::string &text, const std::string &where)
{
   return CutParser(text, where).Parse();
}

DefinedColumn Define(const std::string &entryJson, const std::string &where)
{
   Json node;
   try {
      node = Json::parse(entryJson);
   } catch (const Json::exception &err) {
      Fail(where, std::string("not valid JSON: ") + err.what());
   }
   if (!node.is_object())
      Fail(where, "expected an object {\"column\": ..., \"op\": ..., parameters}");
   Params params(node, where);
   DefinedColumn column;
   column.column = params.String("column");
   if (!IsColumnName(column.column))
      Fail(where + ".column", "'" + column.column + "' is not a column name (Collection_branch or nCollection)");
   const std::string op = params.String("op");
   const auto it = Registry().find(op);
   if (it == Registry().end()) {
      std::string known;
      for (const auto &name : Names())
         known += (known.empty() ? "" : ", ") + name;
      Fail(where + ".op", "unknown operation '" + op + "' (the library has " + known + ")");
   }
   if (node.contains("requires")) {
      const Json &list = params.Get("requires");
      if (!list.is_array())
         Fail(where + ".requires", "expected a list of collection names");
      for (const Json &name : list) {
         if (!name.is_string() || !IsCollectionName(name.get<std::string>()))
            Fail(where + ".requires", "expected a list of collection names, found " + name.dump());
         column.collections.push_back(name.get<std::string>());
      }
   }
   column.expression = it->second(params);
   params.CheckAllUsed();
   column.inputs = params.Inputs();
   return column;
}

std::vector<std::string> Names()
{
   std::vector<std::string> names;
   for (const auto &entry : Registry())
      names.push_back(entry.first);
   return names;
}

} // namespace Operations
} // namespace flashsim
