// The toy analyses of the CMS FlashSim paper, on any NanoAOD (FlashSim or a full simulation).
// One C++ implementation, used by the Python package (flashsim.validate.analyses, through
// cling) and by the plain-ROOT macros (macros/vbf_hmumu.C, macros/zh_llbb.C), so they cannot
// drift apart. Each analysis returns, per event, its observables in the order of its
// *Observables() list, or an empty vector when the event fails the selection.
//
// The jet ID is computed from the energy fractions (JetId.hxx: NanoAOD v15 has no Jet_jetId); the
// caller defines it with flashsim::nanoaod::DefineJetId and passes that column as `jetId`.
// Column types are template parameters: NanoAOD writes IDs as Bool_t/UChar_t and indices as
// Short_t, FlashSim may write Int_t; the jitted Define picks the right instantiation.
#ifndef FLASHSIM_TOY_ANALYSES_HXX
#define FLASHSIM_TOY_ANALYSES_HXX

#include "JetId.hxx"

#include <Math/Vector4D.h>
#include <ROOT/RVec.hxx>

#include <cmath>
#include <string>
#include <vector>

namespace flashsim {
namespace toy {

using ROOT::RVec;
using ROOT::RVecF;
using P4 = ROOT::Math::PtEtaPhiMVector;

// Selection thresholds (CMS H->mumu, JHEP01(2021)148, VBF category; CMS VH(bb) for ZH).
constexpr double kMuonPt = 20., kMuonLeadPt = 26., kMuonEta = 2.4, kMuonIso = 0.25;
constexpr double kElectronPt = 20., kElectronEta = 2.5;
constexpr double kJetPt = 25., kJetLeadPt = 35., kJetEtaVbf = 4.7, kJetEtaB = 2.5, kJetLeptonDR = 0.4;
constexpr double kMmumuLow = 110., kMmumuHigh = 150., kMjjMin = 400., kDetajjMin = 2.5;
constexpr double kZMass = 91.1876, kZWindow = 15.;
constexpr double kBtagLoose = 0.049, kBtagMedium = 0.277; // DeepJet-like working points (docs/refsim.md)
constexpr double kMuonMass = 0.10566, kElectronMass = 0.000511;

// phi difference wrapped into [-pi, pi]
inline double WrapPhi(double x)
{
   return std::remainder(x, 2. * M_PI);
}

inline double DeltaR(double eta1, double phi1, double eta2, double phi2)
{
   const double dphi = WrapPhi(phi1 - phi2);
   return std::sqrt((eta1 - eta2) * (eta1 - eta2) + dphi * dphi);
}

// Jets passing pt, |eta| and tight ID (`jetId`: flags of flashsim::nanoaod::JetId), away from the given
// leptons; indices in pt order.
template <class F, class J>
RVec<int> CleanJets(const RVec<F> &pt, const RVec<F> &eta, const RVec<F> &phi, const RVec<J> &jetId, double etaMax,
                    const std::vector<P4> &leptons)
{
   RVec<int> out;
   for (std::size_t i = 0; i < pt.size(); ++i) {
      if (pt[i] < kJetPt || std::abs(eta[i]) > etaMax || !(int(jetId[i]) & 2))
         continue;
      bool clean = true;
      for (const auto &l : leptons)
         clean = clean && DeltaR(eta[i], phi[i], l.Eta(), l.Phi()) > kJetLeptonDR;
      if (clean)
         out.push_back(int(i));
   }
   auto order = ROOT::VecOps::Argsort(RVec<F>(ROOT::VecOps::Take(pt, out)), [](F a, F b) { return a > b; });
   return ROOT::VecOps::Take(out, order);
}

inline std::vector<std::string> VbfHmumuObservables()
{
   return {"m_mumu", "pt_mumu", "eta_mumu", "m_jj", "deta_jj", "dphi_jj", "jet1_pt", "jet1_eta",
           "jet2_pt", "jet2_eta", "zeppenfeld", "n_jets", "mu1_pt", "mu2_pt"};
}

// VBF H->mumu: two opposite-sign isolated medium muons (leading pt > 26, m_mumu in [110, 150]),
// two jets (pt > 35, 25; |eta| < 4.7) with m_jj > 400 GeV and |delta-eta_jj| > 2.5.
template <class F, class C, class B, class J>
RVecF VbfHmumu(const RVec<F> &muPt, const RVec<F> &muEta, const RVec<F> &muPhi, const RVec<C> &muCharge,
               const RVec<B> &muMediumId, const RVec<F> &muIso, const RVec<F> &jetPt, const RVec<F> &jetEta,
               const RVec<F> &jetPhi, const RVec<F> &jetMass, const RVec<J> &jetId)
{
   RVec<int> mu;
   for (std::size_t i = 0; i < muPt.size(); ++i)
      if (muPt[i] > kMuonPt && std::abs(muEta[i]) < kMuonEta && bool(muMediumId[i]) && muIso[i] < kMuonIso)
         mu.push_back(int(i));
   // leading opposite-sign pair
   int m1 = -1, m2 = -1;
   for (std::size_t a = 0; a < mu.size() && m1 < 0; ++a)
      for (std::size_t b = a + 1; b < mu.size(); ++b)
         if (muCharge[mu[a]] * muCharge[mu[b]] < 0) {
            m1 = mu[a];
            m2 = mu[b];
            break;
         }
   if (m1 < 0)
      return {};
   if (muPt[m1] < muPt[m2])
      std::swap(m1, m2);
   const P4 mu1(muPt[m1], muEta[m1], muPhi[m1], kMuonMass), mu2(muPt[m2], muEta[m2], muPhi[m2], kMuonMass);
   const P4 h = mu1 + mu2;
   if (mu1.Pt() < kMuonLeadPt || h.M() < kMmumuLow || h.M() > kMmumuHigh)
      return {};
   const auto jets = CleanJets(jetPt, jetEta, jetPhi, jetId, kJetEtaVbf, {mu1, mu2});
   if (jets.size() < 2 || jetPt[jets[0]] < kJetLeadPt)
      return {};
   const P4 j1(jetPt[jets[0]], jetEta[jets[0]], jetPhi[jets[0]], jetMass[jets[0]]);
   const P4 j2(jetPt[jets[1]], jetEta[jets[1]], jetPhi[jets[1]], jetMass[jets[1]]);
   const P4 jj = j1 + j2;
   const double detajj = std::abs(j1.Eta() - j2.Eta());
   if (jj.M() < kMjjMin || detajj < kDetajjMin)
      return {};
   const double dy = std::abs(j1.Rapidity() - j2.Rapidity());
   const double zep = (h.Rapidity() - 0.5 * (j1.Rapidity() + j2.Rapidity())) / dy;
   return {float(h.M()), float(h.Pt()), float(h.Eta()), float(jj.M()), float(detajj),
           float(std::abs(WrapPhi(j1.Phi() - j2.Phi()))), float(j1.Pt()), float(j1.Eta()), float(j2.Pt()),
           float(j2.Eta()), float(zep), float(jets.size()), float(mu1.Pt()), float(mu2.Pt())};
}

inline std::vector<std::string> ZhLlbbObservables()
{
   return {"m_bb", "pt_bb", "dr_bb", "m_ll", "pt_ll", "dphi_ll_bb", "btag_1", "btag_2", "b1_pt", "b2_pt",
           "n_jets", "flavour_ll"};
}

// ZH -> ll bb: an opposite-sign same-flavour lepton pair (isolated medium muons or WP90
// electrons, pt > 20) with |m_ll - m_Z| < 15 GeV; the two jets (pt > 25, |eta| < 2.5) with
// the highest b-tag scores, both above the loose and one above the medium working point.
// flavour_ll: 13 for a muon pair, 11 for an electron pair.
template <class F, class C, class B, class CE, class BE, class J>
RVecF ZhLlbb(const RVec<F> &muPt, const RVec<F> &muEta, const RVec<F> &muPhi, const RVec<C> &muCharge,
             const RVec<B> &muMediumId, const RVec<F> &muIso, const RVec<F> &elPt, const RVec<F> &elEta,
             const RVec<F> &elPhi, const RVec<CE> &elCharge, const RVec<BE> &elWp90, const RVec<F> &jetPt,
             const RVec<F> &jetEta, const RVec<F> &jetPhi, const RVec<F> &jetMass, const RVec<J> &jetId,
             const RVec<F> &jetBtag)
{
   double best = 1e9;
   P4 l1, l2;
   int flavour = 0;
   auto scan = [&](auto pass, const RVec<F> &pt, const RVec<F> &eta, const RVec<F> &phi, auto &charge, double mass,
                   int pdg) {
      for (std::size_t a = 0; a < pt.size(); ++a)
         for (std::size_t b = a + 1; b < pt.size(); ++b) {
            if (!pass(a) || !pass(b) || charge[a] * charge[b] >= 0)
               continue;
            const P4 pa(pt[a], eta[a], phi[a], mass), pb(pt[b], eta[b], phi[b], mass);
            const double d = std::abs((pa + pb).M() - kZMass);
            if (d < best) {
               best = d;
               l1 = pa;
               l2 = pb;
               flavour = pdg;
            }
         }
   };
   scan([&](std::size_t i) {
      return muPt[i] > kMuonPt && std::abs(muEta[i]) < kMuonEta && bool(muMediumId[i]) && muIso[i] < kMuonIso;
   }, muPt, muEta, muPhi, muCharge, kMuonMass, 13);
   scan([&](std::size_t i) { return elPt[i] > kElectronPt && std::abs(elEta[i]) < kElectronEta && bool(elWp90[i]); },
        elPt, elEta, elPhi, elCharge, kElectronMass, 11);
   if (best > kZWindow)
      return {};
   const P4 z = l1 + l2;
   auto jets = CleanJets(jetPt, jetEta, jetPhi, jetId, kJetEtaB, {l1, l2});
   if (jets.size() < 2)
      return {};
   auto byTag = ROOT::VecOps::Argsort(RVec<F>(ROOT::VecOps::Take(jetBtag, jets)), [](F a, F b) { return a > b; });
   const int b1 = jets[byTag[0]], b2 = jets[byTag[1]];
   if (jetBtag[b1] < kBtagMedium || jetBtag[b2] < kBtagLoose)
      return {};
   const P4 j1(jetPt[b1], jetEta[b1], jetPhi[b1], jetMass[b1]), j2(jetPt[b2], jetEta[b2], jetPhi[b2], jetMass[b2]);
   const P4 h = j1 + j2;
   return {float(h.M()), float(h.Pt()), float(DeltaR(j1.Eta(), j1.Phi(), j2.Eta(), j2.Phi())), float(z.M()),
           float(z.Pt()), float(std::abs(WrapPhi(z.Phi() - h.Phi()))), float(jetBtag[b1]), float(jetBtag[b2]),
           float(j1.Pt()), float(j2.Pt()), float(jets.size()), float(flavour)};
}

} // namespace toy
} // namespace flashsim

#endif
