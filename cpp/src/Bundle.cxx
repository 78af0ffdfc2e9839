#include "flashsim/Bundle.hxx"

#include "flashsim/Detail/BuildOrder.hxx"
#include "flashsim/Errors.hxx"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace flashsim {

using Json = nlohmann::json;

// Reads one manifest with a path-like context ("collections[0].sources[1]") for every message.
class ManifestReader {
public:
   explicit ManifestReader(std::string file) : fFile(std::move(file)) {}

   int version = Bundle::kFormatVersion;
   bool allowCode = false;

   /// "bundle manifest '<file>': <where>", the context of the registry's messages.
   std::string Context(const std::string &where) const { return "bundle manifest '" + fFile + "': " + where; }

   /// A format-1 field of free C++ text: refused unless the user trusts the bundle.
   void CheckCodeAllowed(const std::string &where, const std::string &what) const
   {
      if (version == 1 && !allowCode)
         Fail(where, "manifest format 1 keeps " + what +
                        " as C++ text, which cling would compile and run when the bundle is loaded; pass "
                        "--allow-bundle-code (Python: allow_bundle_code=True; C++: flashsim::Bundle(directory, true)) "
                        "only if you trust whoever made this bundle, or convert it to format 2 "
                        "(scripts/upgrade_bundle_format.py)");
   }

   [[noreturn]] void Fail(const std::string &where, const std::string &what) const
   {
      throw BundleError("flashsim: bundle manifest '" + fFile + "': " + (where.empty() ? "" : where + ": ") + what);
   }

   const Json &Get(const Json &node, const std::string &where, const std::string &key) const
   {
      if (!node.is_object())
         Fail(where, "expected an object");
      const auto it = node.find(key);
      if (it == node.end())
         Fail(where, "missing key '" + key + "'");
      return *it;
   }

   std::string String(const Json &node, const std::string &where, const std::string &key) const
   {
      const Json &value = Get(node, where, key);
      if (!value.is_string())
         Fail(where + "." + key, "expected a string, got " + std::string(value.type_name()));
      return value.get<std::string>();
   }

   double Number(const Json &node, const std::string &where, const std::string &key, double fallback) const
   {
      if (!node.contains(key))
         return fallback;
      const Json &value = node.at(key);
      if (!value.is_number())
         Fail(where + "." + key, "expected a number, got " + std::string(value.type_name()));
      return value.get<double>();
   }

   const Json &Array(const Json &node, const std::string &where, const std::string &key) const
   {
      const Json &value = Get(node, where, key);
      if (!value.is_array())
         Fail(where + "." + key, "expected a list, got " + std::string(value.type_name()));
      return value;
   }

   std::vector<double> Numbers(const Json &node, const std::string &where, const std::string &key) const
   {
      std::vector<double> out;
      for (const Json &value : Array(node, where, key)) {
         if (!value.is_number())
            Fail(where + "." + key, "expected a list of numbers, found " + std::string(value.type_name()));
         out.push_back(value.get<double>());
      }
      return out;
   }

   /// binned_standardize's bin edges, quantile's knots: at least two, increasing.
   std::vector<double> Edges(const Json &node, const std::string &where, const std::string &key) const
   {
      std::vector<double> edges = Numbers(node, where, key);
      bool increasing = edges.size() >= 2;
      for (std::size_t k = 1; k < edges.size(); ++k)
         increasing = increasing && edges[k] > edges[k - 1];
      if (!increasing)
         Fail(where + "." + key, "expected at least 2 strictly increasing numbers");
      return edges;
   }

   /// An optional boolean (false when absent); anything else than true/false is an error.
   bool Flag(const Json &node, const std::string &where, const std::string &key) const
   {
      if (!node.contains(key))
         return false;
      if (!node[key].is_boolean())
         Fail(where + "." + key, "expected true or false, got " + std::string(node[key].type_name()));
      return node[key].get<bool>();
   }

   std::vector<TransformStep> Steps(const Json &node, const std::string &where) const
   {
      std::vector<TransformStep> steps;
      if (!node.contains("transform"))
         return steps;
      const Json &list = Array(node, where, "transform");
      for (std::size_t i = 0; i < list.size(); ++i) {
         const std::string at = where + ".transform[" + std::to_string(i) + "]";
         const std::string op = String(list[i], at, "op");
         TransformStep step;
         const auto number = [&](const char *key, double fallback) { return Number(list[i], at, key, fallback); };
         if (op == "log") {
            step.op = TransformStep::Op::kLog;
            step.offset = number("offset", 0.0);
         } else if (op == "standardize") {
            step.op = TransformStep::Op::kStandardize;
            step.mean = number("mean", 0.0);
            step.std = number("std", 1.0);
            if (!(step.std > 0.0))
               Fail(at, "std must be > 0, got " + std::to_string(step.std));
         } else if (op == "ratio" || op == "difference" || op == "delta_phi") {
            step.op = op == "ratio"        ? TransformStep::Op::kRatio
                      : op == "difference" ? TransformStep::Op::kDifference
                                           : TransformStep::Op::kDeltaPhi;
            step.gen = String(list[i], at, "gen");
         } else if (op == "gen_scale") {
            step.op = TransformStep::Op::kGenScale;
            step.gen = String(list[i], at, "gen");
            step.scale = number("scale", 1.0);
            step.power = number("power", 0.0);
            if (!(step.scale > 0.0) || !std::isfinite(step.power))
               Fail(at, "gen_scale needs scale > 0 and a finite power");
         } else if (op == "binned_standardize") {
            step.op = TransformStep::Op::kBinnedStandardize;
            step.gen = String(list[i], at, "gen");
            step.absGen = Flag(list[i], at, "abs");
            step.edges = Edges(list[i], at, "edges");
            std::size_t n = step.edges.size() - 1;
            if (list[i].contains("gen2") != list[i].contains("edges2") ||
                (list[i].contains("abs2") && !list[i].contains("gen2")))
               Fail(at, "binned_standardize needs 'gen2' and 'edges2' together for a second gen variable");
            if (list[i].contains("gen2")) {
               step.gen2 = String(list[i], at, "gen2");
               step.absGen2 = Flag(list[i], at, "abs2");
               step.edges2 = Edges(list[i], at, "edges2");
               n *= step.edges2.size() - 1;
            }
            step.locs = Numbers(list[i], at, "loc");
            step.scales = Numbers(list[i], at, "scale");
            if (step.locs.size() != n || step.scales.size() != n)
               Fail(at, "binned_standardize needs one loc and one scale per bin (bins: " + std::to_string(n) +
                           ", loc: " + std::to_string(step.locs.size()) +
                           ", scale: " + std::to_string(step.scales.size()) + ")");
            for (std::size_t k = 0; k < n; ++k)
               if (!(step.scales[k] > 0.0) || !std::isfinite(step.locs[k]))
                  Fail(at, "binned_standardize needs finite locs and scales > 0 (bin " + std::to_string(k) + ")");
         } else if (op == "logit") {
            step.op = TransformStep::Op::kLogit;
            step.lo = number("lo", 0.0);
            step.hi = number("hi", 1.0);
            step.eps = number("eps", 1e-6);
            if (!(step.hi > step.lo) || !(step.eps > 0.0 && step.eps < 0.5))
               Fail(at, "logit needs hi > lo and 0 < eps < 0.5");
         } else if (op == "arctan" || op == "asinh") {
            step.op = op == "arctan" ? TransformStep::Op::kArctan : TransformStep::Op::kAsinh;
            step.scale = number("scale", 1.0);
            if (!(step.scale > 0.0))
               Fail(at, "scale must be > 0, got " + std::to_string(step.scale));
         } else if (op == "dequantize") {
            step.op = TransformStep::Op::kDequantize;
         } else if (op == "clip") {
            step.op = TransformStep::Op::kClip;
            step.lo = number("lo", -std::numeric_limits<double>::infinity());
            step.hi = number("hi", std::numeric_limits<double>::infinity());
         } else if (op == "quantile") {
            step.op = TransformStep::Op::kQuantile;
            step.knotsX = Edges(list[i], at, "x");
            step.knotsY = Edges(list[i], at, "y");
            if (step.knotsX.size() != step.knotsY.size())
               Fail(at, "quantile needs as many 'y' knots as 'x' knots (x: " + std::to_string(step.knotsX.size()) +
                           ", y: " + std::to_string(step.knotsY.size()) + ")");
         } else if (op == "spike") {
            if (i != 0)
               Fail(at, "a 'spike' step must be the first step of its transform");
            step.op = TransformStep::Op::kSpike;
            for (const char *key : {"value", "loc", "threshold"})
               if (!list[i].contains(key))
                  Fail(at, std::string("a 'spike' step needs '") + key + "'");
            step.value = number("value", 0.0);
            step.loc = number("loc", 0.0);
            step.width = number("width", 0.0);
            step.threshold = number("threshold", 0.0);
         } else {
            Fail(at, "unknown transform op '" + op +
                        "', expected log, standardize, ratio, difference, delta_phi, gen_scale, binned_standardize, "
                        "logit, arctan, "
                        "asinh, dequantize, clip, quantile or spike");
         }
         steps.push_back(std::move(step));
      }
      return steps;
   }

   BranchType Type(const Json &node, const std::string &where) const
   {
      const std::string type = String(node, where, "type");
      try {
         return ParseBranchType(type);
      } catch (const std::invalid_argument &err) {
         Fail(where + ".type", err.what());
      }
   }

   std::string ModelPath(const Json &source, const std::string &where, const std::string &key,
                         const std::string &directory) const
   {
      return ModelFile(Get(source, where, key), where + "." + key, directory);
   }

   /// The "model" file of a network entry, absolute.
   std::string ModelFile(const Json &network, const std::string &where, const std::string &directory) const
   {
      const std::string file = String(network, where, "model");
      return file.rfind('/', 0) == 0 ? file : directory + "/" + file;
   }

private:
   std::string fFile;
};

namespace {

int IndexOf(std::vector<std::string> &columns, const std::string &column)
{
   const auto it = std::find(columns.begin(), columns.end(), column);
   if (it != columns.end())
      return static_cast<int>(it - columns.begin());
   columns.push_back(column);
   return static_cast<int>(columns.size() - 1);
}

void ResolveGenColumns(VariableTransform &transform, std::vector<std::string> &columns)
{
   std::vector<TransformStep> steps = transform.Steps();
   for (auto &step : steps) {
      if (!step.gen.empty())
         step.genIndex = IndexOf(columns, step.gen);
      if (!step.gen2.empty())
         step.genIndex2 = IndexOf(columns, step.gen2);
   }
   transform = VariableTransform(std::move(steps));
}

LabelHead ReadLabels(const ManifestReader &reader, const Json &node, const std::string &where,
                     const std::string &directory)
{
   LabelHead labels;
   const Json &branches = reader.Array(node, where, "branches");
   for (std::size_t i = 0; i < branches.size(); ++i) {
      const std::string at = where + ".branches[" + std::to_string(i) + "]";
      labels.branches.emplace_back(reader.String(branches[i], at, "branch"), reader.Type(branches[i], at));
   }
   if (labels.branches.empty())
      reader.Fail(where + ".branches", "is empty; leave 'labels' out instead");
   const Json &values = reader.Array(node, where, "values");
   if (values.empty())
      reader.Fail(where + ".values", "is empty; a label head needs at least one configuration");
   for (std::size_t k = 0; k < values.size(); ++k) {
      const std::string at = where + ".values[" + std::to_string(k) + "]";
      if (!values[k].is_array() || values[k].size() != labels.branches.size())
         reader.Fail(at, "expected a list of " + std::to_string(labels.branches.size()) + " numbers (one per branch)");
      for (const auto &v : values[k]) {
         if (!v.is_number())
            reader.Fail(at, "expected numbers, got " + std::string(v.type_name()));
         labels.values.push_back(v.get<double>());
      }
   }
   if (values.size() > 1 || node.contains("model"))
      labels.model = reader.ModelFile(node, where, directory);
   return labels;
}

SourceSpec ReadSource(const ManifestReader &reader, const Json &node, const std::string &where,
                      const std::string &directory)
{
   SourceSpec source;
   source.name = reader.String(node, where, "name");
   try {
      source.kind = ParseSourceKind(node.value("kind", std::string("matched")));
   } catch (const std::invalid_argument &err) {
      reader.Fail(where + ".kind", err.what());
   }
   source.genCollection = node.value("gen_collection", std::string(""));
   if (node.contains("efficiency_stream")) {
      source.efficiencyStream = reader.String(node, where, "efficiency_stream");
      if (source.efficiencyStream.empty())
         reader.Fail(where + ".efficiency_stream", "an empty name: leave it out for the source's own stream");
      if (source.kind != SourceKind::kMatched && source.kind != SourceKind::kUnmatched)
         reader.Fail(where + ".efficiency_stream",
                     "only a matched or unmatched source draws one uniform per candidate");
   }
   if (node.contains("select")) {
      const std::string text = reader.String(node, where, "select");
      if (reader.version == 1) {
         reader.CheckCodeAllowed(where + ".select", "the gen selection");
         source.select = text;
      } else {
         const Operations::Cut cut = Operations::ParseCut(text, reader.Context(where + ".select"));
         source.select = cut.expression;
         source.selectInputs = cut.inputs;
      }
   }
   source.indexBranch = node.value("index_branch", std::string(""));
   if (source.kind != SourceKind::kCandidatesPerEvent && source.kind != SourceKind::kEvent &&
       source.genCollection.empty())
      reader.Fail(where, "missing key 'gen_collection' (a matched or unmatched source reads gen objects)");
   if (source.kind == SourceKind::kMatched && source.indexBranch.empty())
      reader.Fail(where, "missing key 'index_branch' (a matched source points back to its gen object)");
   if (source.kind == SourceKind::kCandidatesPerEvent) {
      source.slots = static_cast<int>(reader.Number(node, where, "slots", 0));
      if (source.slots < 1)
         reader.Fail(where + ".slots", "a slots source needs slots >= 1");
   }

   const Json &conditioning = reader.Array(node, where, "conditioning");
   for (std::size_t i = 0; i < conditioning.size(); ++i) {
      const std::string at = where + ".conditioning[" + std::to_string(i) + "]";
      ConditioningVariable variable;
      variable.name = reader.String(conditioning[i], at, "name");
      variable.input = reader.String(conditioning[i], at, "input");
      variable.inputIndex = IndexOf(source.genColumns, variable.input);
      try {
         variable.transform = VariableTransform(reader.Steps(conditioning[i], at));
      } catch (const BundleError &) {
         throw;
      } catch (const std::invalid_argument &err) {
         reader.Fail(at, err.what());
      }
      ResolveGenColumns(variable.transform, source.genColumns);
      source.conditioning.push_back(std::move(variable));
   }
   const Json &targets = reader.Array(node, where, "targets");
   for (std::size_t i = 0; i < targets.size(); ++i) {
      const std::string at = where + ".targets[" + std::to_string(i) + "]";
      TargetVariable target;
      target.branch = reader.String(targets[i], at, "branch");
      target.type = reader.Type(targets[i], at);
      try {
         target.transform = VariableTransform(reader.Steps(targets[i], at));
      } catch (const BundleError &) {
         throw;
      } catch (const std::invalid_argument &err) {
         reader.Fail(at, err.what());
      }
      ResolveGenColumns(target.transform, source.genColumns);
      source.targets.push_back(std::move(target));
   }
   if (node.contains("labels"))
      source.labels = ReadLabels(reader, node.at("labels"), where + ".labels", directory);
   if (node.contains("copies")) {
      const Json &copies = reader.Array(node, where, "copies");
      for (std::size_t i = 0; i < copies.size(); ++i) {
         const std::string at = where + ".copies[" + std::to_string(i) + "]";
         CopiedBranch copy;
         copy.branch = reader.String(copies[i], at, "branch");
         copy.type = reader.Type(copies[i], at);
         copy.gen = copies[i].value("gen", std::string(""));
         copy.fallback = reader.Number(copies[i], at, "fallback", 0.0);
         if (!copy.gen.empty())
            copy.genIndex = IndexOf(source.genColumns, copy.gen);
         source.copies.push_back(std::move(copy));
      }
   }
   if (source.conditioning.empty())
      reader.Fail(where + ".conditioning", "is empty; a source needs at least one conditioning variable");
   if (source.targets.empty())
      reader.Fail(where + ".targets", "is empty; a source needs at least one target variable");
   if (source.kind != SourceKind::kEvent || node.contains("efficiency"))
      source.efficiencyModel = reader.ModelPath(node, where, "efficiency", directory);
   source.velocityFieldModel = reader.ModelPath(node, where, "velocity_field", directory);
   if (node.at("velocity_field").contains("distilled")) {
      const std::string dwhere = where + ".velocity_field.distilled";
      const Json &distilled = node.at("velocity_field").at("distilled");
      if (!distilled.is_object())
         reader.Fail(dwhere, "expected {\"model\": ..., \"steps\": ...}");
      source.distilledModel = reader.ModelFile(distilled, dwhere, directory);
      const double steps = reader.Number(distilled, dwhere, "steps", 0.0);
      if (!(steps >= 1 && steps <= 64 && steps == std::floor(steps)))
         reader.Fail(dwhere, "'steps' must be an integer in [1, 64] (the Euler steps the student was distilled for)");
      source.distilledSteps = static_cast<int>(steps);
   }
   if (node.contains("efficiency_edge")) {
      const std::string ewhere = where + ".efficiency_edge";
      const Json &edge = node.at("efficiency_edge");
      if (!edge.is_object())
         reader.Fail(ewhere, "expected {\"input\": ..., \"abs_above\": ...}");
      if (source.efficiencyModel.empty() ||
          (source.kind != SourceKind::kMatched && source.kind != SourceKind::kUnmatched))
         reader.Fail(ewhere, "only a matched or unmatched source with an efficiency network has an efficiency edge");
      const std::string input = reader.String(edge, ewhere, "input");
      if (!edge.contains("abs_above"))
         reader.Fail(ewhere, "needs 'abs_above'");
      const double above = reader.Number(edge, ewhere, "abs_above", 0.0);
      if (!std::isfinite(above) || above < 0)
         reader.Fail(ewhere, "'abs_above' must be a finite number >= 0");
      source.efficiencyEdge = EfficiencyEdge{IndexOf(source.genColumns, input), above};
   }
   return source;
}

void CheckCollection(const ManifestReader &reader, CollectionSpec &collection, const std::string &where)
{
   const auto &first = collection.sources.front();
   collection.event = first.kind == SourceKind::kEvent;
   const auto branches = [](const SourceSpec &source) {
      std::vector<std::pair<std::string, BranchType>> out;
      for (const auto &t : source.targets)
         out.emplace_back(t.branch, t.type);
      out.insert(out.end(), source.labels.branches.begin(), source.labels.branches.end());
      for (const auto &c : source.copies)
         out.emplace_back(c.branch, c.type);
      return out;
   };
   const auto reference = branches(first);
   auto sorted = reference;
   std::sort(sorted.begin(), sorted.end());
   for (auto &source : collection.sources) {
      if (collection.event && collection.sources.size() != 1)
         reader.Fail(where, "an event-level source must be the only source of its collection");
      auto own = branches(source);
      auto ownSorted = own;
      std::sort(ownSorted.begin(), ownSorted.end());
      if (ownSorted != sorted)
         reader.Fail(where, "source '" + source.name + "' writes other branches (or other types) than '" + first.name +
                               "'; every source of a collection must write the same branches");
      source.column.clear();
      if (own != reference) // the same branches in another order: where each goes in the collection
         for (const auto &branch : own)
            source.column.push_back(
               static_cast<std::size_t>(std::find(reference.begin(), reference.end(), branch) - reference.begin()));
      if (!source.indexBranch.empty()) {
         if (!collection.indexBranch.empty() && collection.indexBranch != source.indexBranch)
            reader.Fail(where, "sources disagree on the index branch: '" + collection.indexBranch + "' and '" +
                                  source.indexBranch + "'");
         collection.indexBranch = source.indexBranch;
      }
   }
   if (!collection.sortBy.empty() &&
       std::none_of(reference.begin(), reference.end(), [&](const auto &b) { return b.first == collection.sortBy; }))
      reader.Fail(where + ".sort_by", "'" + collection.sortBy + "' is not a branch of the collection");
}

std::vector<DefinedColumn> ReadDefinedColumns(const ManifestReader &reader, const Json &root, const std::string &key)
{
   std::vector<DefinedColumn> columns;
   if (!root.contains(key))
      return columns;
   const Json &list = reader.Array(root, "", key);
   for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = key + "[" + std::to_string(i) + "]";
      if (reader.version >= 2) {
         columns.push_back(Operations::Define(list[i].dump(), reader.Context(at)));
         continue;
      }
      reader.CheckCodeAllowed(at, "the " + key + " column '" + list[i].value("column", std::string("?")) + "'");
      DefinedColumn column{reader.String(list[i], at, "column"), reader.String(list[i], at, "expression"), {}, {}};
      for (const char *field : {"inputs", "requires"}) {
         if (!list[i].contains(field))
            continue;
         auto &names = std::string(field) == "inputs" ? column.inputs : column.collections;
         for (const auto &name : reader.Array(list[i], at, field)) {
            if (!name.is_string())
               reader.Fail(at + "." + field, "expected a list of names");
            names.push_back(name.get<std::string>());
         }
      }
      columns.push_back(std::move(column));
   }
   return columns;
}

} // namespace

Bundle::Bundle(const std::string &directory, bool allowCode) : fDirectory(directory)
{
   while (fDirectory.size() > 1 && fDirectory.back() == '/')
      fDirectory.pop_back();
   const std::string file = fDirectory + "/bundle.json";
   std::ifstream in(file);
   if (!in)
      throw BundleError("flashsim: model bundle '" + directory + "' has no readable bundle.json (looked for '" + file +
                        "')");
   ManifestReader reader(file);
   Json root;
   try {
      root = Json::parse(in);
   } catch (const Json::exception &err) {
      reader.Fail("", std::string("not valid JSON: ") + err.what());
   }
   const Json &version = reader.Get(root, "", "format_version");
   if (!version.is_number_integer() || version.get<int>() < 1 || version.get<int>() > kFormatVersion)
      reader.Fail("format_version", "got " + version.dump() + ", expected 1 to " + std::to_string(kFormatVersion) +
                                       " (re-export the bundle with this version of flashsim)");
   reader.version = version.get<int>();
   reader.allowCode = allowCode;
   try {
      fName = root.value("name", std::string(""));

      if (root.contains("ode")) {
         const Json &ode = root.at("ode");
         fOde.method = ParseOdeMethod(reader.String(ode, "ode", "method"));
         fOde.steps = static_cast<int>(reader.Number(ode, "ode", "steps", fOde.steps));
         fOde.rtol = reader.Number(ode, "ode", "rtol", fOde.rtol);
         fOde.atol = reader.Number(ode, "ode", "atol", fOde.atol);
         try {
            fOde.Validate();
         } catch (const std::invalid_argument &err) {
            reader.Fail("ode", err.what());
         }
      }

      fDerived = ReadDefinedColumns(reader, root, "derived");
      fPostprocess = ReadDefinedColumns(reader, root, "postprocess");

      const Json &collections = reader.Array(root, "", "collections");
      for (std::size_t c = 0; c < collections.size(); ++c) {
         const std::string cwhere = "collections[" + std::to_string(c) + "]";
         CollectionSpec collection;
         collection.name = reader.String(collections[c], cwhere, "name");
         collection.sortBy = collections[c].value("sort_by", std::string(""));
         const Json &sources = reader.Array(collections[c], cwhere, "sources");
         if (sources.empty())
            reader.Fail(cwhere + ".sources", "is empty");
         for (std::size_t s = 0; s < sources.size(); ++s)
            collection.sources.push_back(
               ReadSource(reader, sources[s], cwhere + ".sources[" + std::to_string(s) + "]", fDirectory));
         CheckCollection(reader, collection, cwhere);
         const auto branches = collection.Branches();
         for (std::size_t j = 0; j < branches.size(); ++j)
            if (branches[j].first == collection.sortBy)
               collection.merge.sortBranch = static_cast<int>(j);
         if (collections[c].contains("sum_to_one")) {
            const Json &groups = reader.Array(collections[c], cwhere, "sum_to_one");
            for (std::size_t g = 0; g < groups.size(); ++g) {
               const std::string gwhere = cwhere + ".sum_to_one[" + std::to_string(g) + "]";
               if (!groups[g].is_array() || groups[g].size() < 2)
                  reader.Fail(gwhere, "expected a list of at least two branch names");
               std::vector<int> group;
               for (const auto &name : groups[g]) {
                  const auto at = std::find_if(branches.begin(), branches.end(), [&](const auto &b) {
                     return name.is_string() && b.first == name.get<std::string>();
                  });
                  if (at == branches.end() || (at->second != BranchType::kFloat && at->second != BranchType::kDouble))
                     reader.Fail(gwhere, "'" + (name.is_string() ? name.get<std::string>() : name.dump()) +
                                            "' is not a floating-point branch of the collection");
                  group.push_back(static_cast<int>(at - branches.begin()));
               }
               collection.merge.sumToOne.push_back(std::move(group));
            }
         }
         // the position of a branch of the collection, -1 for none (acceptance and working-point rules)
         const auto branchIndex = [&](const std::string &name) {
            const auto at =
               std::find_if(branches.begin(), branches.end(), [&](const auto &b) { return b.first == name; });
            return at == branches.end() ? -1 : static_cast<int>(at - branches.begin());
         };
         if (collections[c].contains("acceptance")) {
            const int eta = branchIndex("eta");
            const Json &rules = reader.Array(collections[c], cwhere, "acceptance");
            for (std::size_t r = 0; r < rules.size(); ++r) {
               const std::string rwhere = cwhere + ".acceptance[" + std::to_string(r) + "]";
               if (!rules[r].is_object())
                  reader.Fail(rwhere, "expected {\"branch\": ..., \"value\": ..., \"abs_above\": ...}");
               if (eta < 0)
                  reader.Fail(rwhere, "the collection has no 'eta' branch for the |eta| edge");
               const std::string name = reader.String(rules[r], rwhere, "branch");
               const int branch = branchIndex(name);
               if (branch < 0 || branch == eta)
                  reader.Fail(rwhere + ".branch", "'" + name + "' is not a branch of the collection other than eta");
               if (!rules[r].contains("value") || !rules[r].contains("abs_above"))
                  reader.Fail(rwhere, "needs 'value' and 'abs_above'");
               const double value = reader.Number(rules[r], rwhere, "value", 0.0);
               const double above = reader.Number(rules[r], rwhere, "abs_above", 0.0);
               if (!std::isfinite(value) || !std::isfinite(above) || above < 0)
                  reader.Fail(rwhere, "'value' and 'abs_above' must be finite numbers, abs_above >= 0");
               collection.merge.acceptance.push_back(AcceptanceRule{branch, eta, above, value});
            }
         }
         if (collections[c].contains("floor")) {
            const std::string fwhere = cwhere + ".floor";
            const Json &node = collections[c].at("floor");
            if (!node.is_object())
               reader.Fail(fwhere, "expected {\"branch\": ..., \"min\": ..., \"redraws\": ...}");
            const std::string name = reader.String(node, fwhere, "branch");
            if (!node.contains("min"))
               reader.Fail(fwhere, "needs 'min'");
            const double min = reader.Number(node, fwhere, "min", 0.0);
            const double redraws = reader.Number(node, fwhere, "redraws", 8.0);
            if (!std::isfinite(min) || !(redraws >= 0 && redraws <= 64 && redraws == std::floor(redraws)))
               reader.Fail(fwhere, "'min' must be a finite number and 'redraws' an integer from 0 to 64");
            for (std::size_t s = 0; s < collection.sources.size(); ++s) {
               auto &source = collection.sources[s];
               const auto at = std::find_if(source.targets.begin(), source.targets.end(),
                                            [&](const TargetVariable &t) { return t.branch == name; });
               if (at == source.targets.end())
                  reader.Fail(fwhere + ".branch", "'" + name + "' is not a flow target of source '" + source.name +
                                                     "' (only a generated branch can be drawn again)");
               source.floor =
                  ObjectFloor{static_cast<int>(at - source.targets.begin()), min, static_cast<unsigned>(redraws)};
            }
         }
         if (collections[c].contains("working_points")) {
            const Json &rules = reader.Array(collections[c], cwhere, "working_points");
            for (std::size_t r = 0; r < rules.size(); ++r) {
               const std::string rwhere = cwhere + ".working_points[" + std::to_string(r) + "]";
               if (!rules[r].is_object())
                  reader.Fail(rwhere,
                              "expected {\"branch\": ..., \"of\": ..., \"thresholds\": [...], \"values\": [...]}");
               WorkingPointRule rule;
               const std::string name = reader.String(rules[r], rwhere, "branch"),
                                 of = reader.String(rules[r], rwhere, "of");
               rule.branch = branchIndex(name);
               rule.of = branchIndex(of);
               if (rule.branch < 0)
                  reader.Fail(rwhere + ".branch", "'" + name + "' is not a branch of the collection");
               if (rule.of < 0 || rule.of == rule.branch)
                  reader.Fail(rwhere + ".of", "'" + of + "' is not another branch of the collection");
               for (const char *key : {"thresholds", "values"}) {
                  const Json &list = reader.Array(rules[r], rwhere, key);
                  auto &out = std::string(key) == "thresholds" ? rule.thresholds : rule.values;
                  for (std::size_t k = 0; k < list.size(); ++k) {
                     if (!list[k].is_number() || !std::isfinite(list[k].get<double>()))
                        reader.Fail(rwhere + "." + key + "[" + std::to_string(k) + "]", "expected a finite number");
                     out.push_back(list[k].get<double>());
                  }
               }
               if (!std::is_sorted(rule.thresholds.begin(), rule.thresholds.end()) ||
                   rule.values.size() != rule.thresholds.size() + 1)
                  reader.Fail(rwhere, "needs ascending 'thresholds' and one more 'values' than thresholds");
               collection.merge.workingPoints.push_back(std::move(rule));
            }
         }
         if (collections[c].contains("relations")) {
            const Json &rules = reader.Array(collections[c], cwhere, "relations");
            for (std::size_t r = 0; r < rules.size(); ++r) {
               const std::string rwhere = cwhere + ".relations[" + std::to_string(r) + "]";
               if (!rules[r].is_object())
                  reader.Fail(rwhere, "expected {\"branch\": ..., \"op\": \"norm\", \"norm_significance\" or "
                                      "\"score_shift\", \"of\": [...], \"errors\": [...], \"coefficient\": ...}");
               RelationRule rule;
               const std::string op = reader.String(rules[r], rwhere, "op");
               if (op != "norm" && op != "norm_significance" && op != "score_shift")
                  reader.Fail(rwhere + ".op", "'" + op + "': expected 'norm', 'norm_significance' or 'score_shift'");
               rule.op = op == "norm"                ? RelationRule::kNorm
                         : op == "norm_significance" ? RelationRule::kNormSignificance
                                                     : RelationRule::kScoreShift;
               const std::string name = reader.String(rules[r], rwhere, "branch");
               rule.branch = branchIndex(name);
               if (rule.branch < 0 || (branches[rule.branch].second != BranchType::kFloat &&
                                       branches[rule.branch].second != BranchType::kDouble))
                  reader.Fail(rwhere + ".branch", "'" + name + "' is not a floating-point branch of the collection");
               // the branches it reads: of the collection, other than the one it writes
               const auto indices = [&](const char *key) {
                  const Json &list = reader.Array(rules[r], rwhere, key);
                  if (list.empty())
                     reader.Fail(rwhere + "." + key, "is empty");
                  std::vector<int> out;
                  for (std::size_t k = 0; k < list.size(); ++k) {
                     const std::string input = list[k].is_string() ? list[k].get<std::string>() : list[k].dump();
                     const int at = list[k].is_string() ? branchIndex(input) : -1;
                     if (at < 0 || at == rule.branch)
                        reader.Fail(rwhere + "." + key + "[" + std::to_string(k) + "]",
                                    "'" + input + "' is not another branch of the collection");
                     out.push_back(at);
                  }
                  return out;
               };
               rule.of = indices("of");
               if (rule.op == RelationRule::kNormSignificance) {
                  rule.errors = indices("errors");
                  if (rule.errors.size() != rule.of.size())
                     reader.Fail(rwhere + ".errors", "needs one error per branch of 'of'");
               } else if (rules[r].contains("errors")) {
                  reader.Fail(rwhere + ".errors", "only 'norm_significance' takes errors");
               }
               if (rule.op == RelationRule::kScoreShift) {
                  if (rule.of.size() != 2)
                     reader.Fail(rwhere + ".of", "'score_shift' needs two branches: the score and what shifts it");
                  if (!rules[r].contains("coefficient") || !rules[r]["coefficient"].is_number() ||
                      !std::isfinite(rules[r]["coefficient"].get<double>()))
                     reader.Fail(rwhere + ".coefficient", "'score_shift' needs a finite number");
                  rule.coefficient = rules[r]["coefficient"].get<double>();
               } else if (rules[r].contains("coefficient")) {
                  reader.Fail(rwhere + ".coefficient", "only 'score_shift' takes a coefficient");
               }
               collection.merge.relations.push_back(std::move(rule));
            }
         }
         fCollections.push_back(std::move(collection));
      }
      try {
         Detail::ResolveBuildOrder(fCollections, fDerived);
      } catch (const std::invalid_argument &err) {
         reader.Fail("", err.what());
      }
   } catch (const Json::exception &err) {
      // an optional field read with value(key, default) that holds another type: a BundleError naming the file
      reader.Fail("", std::string("a field of the wrong type (") + err.what() + ")");
   }
}

std::vector<std::pair<std::string, BranchType>> CollectionSpec::Branches() const
{
   std::vector<std::pair<std::string, BranchType>> out;
   for (const auto &t : sources.front().targets)
      out.emplace_back(t.branch, t.type);
   const auto &labels = sources.front().labels.branches;
   out.insert(out.end(), labels.begin(), labels.end());
   for (const auto &c : sources.front().copies)
      out.emplace_back(c.branch, c.type);
   return out;
}

SourceKind ParseSourceKind(const std::string &name)
{
   if (name == "matched")
      return SourceKind::kMatched;
   if (name == "unmatched")
      return SourceKind::kUnmatched;
   if (name == "slots")
      return SourceKind::kCandidatesPerEvent;
   if (name == "event")
      return SourceKind::kEvent;
   throw std::invalid_argument("unknown source kind '" + name + "', expected matched, unmatched, slots or event");
}

const CollectionSpec &Bundle::Collection(const std::string &name) const
{
   std::string known;
   for (const auto &collection : fCollections) {
      if (collection.name == name)
         return collection;
      known += (known.empty() ? "" : ", ") + collection.name;
   }
   throw BundleError("flashsim: bundle '" + fDirectory + "' has no collection '" + name + "'; it has: " + known);
}

} // namespace flashsim
