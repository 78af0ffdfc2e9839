// CMS's Run-3 jet identification of AK4 PUPPI jets, computed from NanoAOD's energy fractions and
// multiplicities: NanoAOD v15 has no Jet_jetId (v12's is wrong beyond |eta| 2.7), so analyses
// compute it (JetMET POG, twiki JetID13p6TeV). The one implementation of the recipe: the toy
// analyses (ToyAnalyses.hxx, through Python or the macros) and the reference detector's tests use it.
// Works on any NanoAOD with the fractions and multiplicities (v13 on, the reference detector,
// FlashSim); NanoAOD v12, which has no multiplicities, gets the twiki's fix of its Jet_jetId.
#ifndef FLASHSIM_JET_ID_HXX
#define FLASHSIM_JET_ID_HXX

#include <ROOT/RDataFrame.hxx>
#include <ROOT/RVec.hxx>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace flashsim {
namespace nanoaod {

/// Tight ID of one jet. Barrel and endcap within the tracker (|eta| <= 2.6): neHEF < 0.99,
/// neEmEF < 0.9, more than one constituent, chHEF > 0.01, a charged constituent; 2.6 < |eta| <= 2.7:
/// neHEF < 0.9, neEmEF < 0.99; 2.7 < |eta| <= 3.0: neHEF < 0.99; HF (|eta| > 3.0): neEmEF < 0.4 and
/// at least two neutral constituents.
inline bool PassJetIdTight(double eta, double chHEF, double neHEF, double neEmEF, int chMultiplicity,
                           int neMultiplicity)
{
   const double a = std::abs(eta);
   if (a <= 2.6)
      return neHEF < 0.99 && neEmEF < 0.9 && chMultiplicity + neMultiplicity > 1 && chHEF > 0.01 &&
             chMultiplicity > 0;
   if (a <= 2.7)
      return neHEF < 0.9 && neEmEF < 0.99;
   if (a <= 3.0)
      return neHEF < 0.99;
   return neEmEF < 0.4 && neMultiplicity >= 2;
}

/// Tight ID with the lepton veto: for |eta| <= 2.7 also muEF < 0.8 and chEmEF < 0.8 (a jet that is
/// mostly a muon or an electron fails).
inline bool PassJetIdTightLepVeto(double eta, double chHEF, double neHEF, double chEmEF, double neEmEF, double muEF,
                                  int chMultiplicity, int neMultiplicity)
{
   return PassJetIdTight(eta, chHEF, neHEF, neEmEF, chMultiplicity, neMultiplicity) &&
          (std::abs(eta) > 2.7 || (muEF < 0.8 && chEmEF < 0.8));
}

/// Per jet, the flags Jet_jetId had: 2 (bit 1) tight, 4 (bit 2) tightLepVeto; 0, 2 or 6. Arguments
/// in the order of JetIdColumns().
template <class F, class M>
ROOT::RVec<int> JetId(const ROOT::RVec<F> &eta, const ROOT::RVec<F> &chHEF, const ROOT::RVec<F> &neHEF,
                      const ROOT::RVec<F> &chEmEF, const ROOT::RVec<F> &neEmEF, const ROOT::RVec<F> &muEF,
                      const ROOT::RVec<M> &chMultiplicity, const ROOT::RVec<M> &neMultiplicity)
{
   ROOT::RVec<int> out(eta.size());
   for (std::size_t i = 0; i < eta.size(); ++i) {
      const int ch = int(chMultiplicity[i]), ne = int(neMultiplicity[i]);
      const bool tight = PassJetIdTight(eta[i], chHEF[i], neHEF[i], neEmEF[i], ch, ne);
      const bool lepVeto = PassJetIdTightLepVeto(eta[i], chHEF[i], neHEF[i], chEmEF[i], neEmEF[i], muEF[i], ch, ne);
      out[i] = 2 * tight + 4 * lepVeto;
   }
   return out;
}

/// The same flags for NanoAOD v12 (no multiplicities): its Jet_jetId is right up to |eta| 2.7 and
/// needs neHEF < 0.99 at 2.7 < |eta| <= 3.0 and neEmEF < 0.4 beyond (twiki JetID13p6TeV, "nanoAOD
/// Flags"). Arguments in the order of JetIdV12Columns().
template <class F, class J>
ROOT::RVec<int> JetIdFromV12(const ROOT::RVec<F> &eta, const ROOT::RVec<J> &jetId, const ROOT::RVec<F> &neHEF,
                             const ROOT::RVec<F> &chEmEF, const ROOT::RVec<F> &neEmEF, const ROOT::RVec<F> &muEF)
{
   ROOT::RVec<int> out(eta.size());
   for (std::size_t i = 0; i < eta.size(); ++i) {
      const double a = std::abs(eta[i]);
      const bool tight =
         (int(jetId[i]) & 2) && (a <= 2.7 || (a <= 3.0 ? neHEF[i] < 0.99 : neEmEF[i] < 0.4));
      const bool lepVeto = tight && (a > 2.7 || (muEF[i] < 0.8 && chEmEF[i] < 0.8));
      out[i] = 2 * tight + 4 * lepVeto;
   }
   return out;
}

/// The NanoAOD columns JetId reads, in its argument order.
inline std::vector<std::string> JetIdColumns()
{
   return {"Jet_eta", "Jet_chHEF", "Jet_neHEF", "Jet_chEmEF", "Jet_neEmEF", "Jet_muEF", "Jet_chMultiplicity",
           "Jet_neMultiplicity"};
}

/// The NanoAOD v12 columns JetIdFromV12 reads, in its argument order.
inline std::vector<std::string> JetIdV12Columns()
{
   return {"Jet_eta", "Jet_jetId", "Jet_neHEF", "Jet_chEmEF", "Jet_neEmEF", "Jet_muEF"};
}

/// `df` with `column` defined as the jet ID flags of its jets (RVec<int>, one entry per jet): JetId when
/// `df` has its columns, else JetIdFromV12 when it has those (chosen here, once, not per event).
inline ROOT::RDF::RNode DefineJetId(ROOT::RDF::RNode df, const std::string &column)
{
   const auto names = df.GetColumnNames();
   auto hasAll = [&](const std::vector<std::string> &columns) {
      for (const auto &c : columns)
         if (std::find(names.begin(), names.end(), c) == names.end())
            return false;
      return true;
   };
   const bool v12 = !hasAll(JetIdColumns()) && hasAll(JetIdV12Columns());
   std::string args;
   for (const auto &c : v12 ? JetIdV12Columns() : JetIdColumns())
      args += (args.empty() ? "" : ", ") + c;
   return df.Define(column, std::string("flashsim::nanoaod::") + (v12 ? "JetIdFromV12(" : "JetId(") + args + ")");
}

} // namespace nanoaod
} // namespace flashsim

#endif
