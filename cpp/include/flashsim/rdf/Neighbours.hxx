#ifndef FLASHSIM_RDF_NEIGHBOURS_HXX
#define FLASHSIM_RDF_NEIGHBOURS_HXX

// Geometric relations between two collections of one event, for bundle expressions:
// derived conditioning (e.g. the distance from a GenJet to the nearest gen muon), computed by
// this one implementation both when the training data are extracted and when events are
// simulated, and cross-references between simulated collections (e.g. Muon_jetIdx).

#include <ROOT/RVec.hxx>

#include <cmath>

namespace flashsim {
namespace Neighbours {

inline float DeltaR(float eta1, float phi1, float eta2, float phi2)
{
   float dphi = std::remainder(phi1 - phi2, static_cast<float>(2 * M_PI));
   const float deta = eta1 - eta2;
   return std::sqrt(deta * deta + dphi * dphi);
}

/// For each object of (eta, phi): Delta R to the nearest object of (otherEta, otherPhi), or
/// `none` when there is none.
template <typename A, typename B>
ROOT::RVecF NearestDeltaR(const ROOT::RVec<A> &eta, const ROOT::RVec<A> &phi, const ROOT::RVec<B> &otherEta,
                          const ROOT::RVec<B> &otherPhi, float none = 10.f)
{
   ROOT::RVecF out(eta.size(), none);
   for (std::size_t i = 0; i < eta.size(); ++i)
      for (std::size_t j = 0; j < otherEta.size(); ++j)
         out[i] = std::min(out[i], DeltaR(eta[i], phi[i], otherEta[j], otherPhi[j]));
   return out;
}

/// For each object: how many of the others lie within Delta R < radius.
template <typename A, typename B>
ROOT::RVecI CountWithin(const ROOT::RVec<A> &eta, const ROOT::RVec<A> &phi, const ROOT::RVec<B> &otherEta,
                        const ROOT::RVec<B> &otherPhi, float radius)
{
   ROOT::RVecI out(eta.size(), 0);
   for (std::size_t i = 0; i < eta.size(); ++i)
      for (std::size_t j = 0; j < otherEta.size(); ++j)
         out[i] += DeltaR(eta[i], phi[i], otherEta[j], otherPhi[j]) < radius;
   return out;
}

/// For each object: the summed pt of the others within Delta R < radius, divided by the object's
/// own pt (e.g. the muon content of a gen jet), 0 for an object without pt.
template <typename A, typename B>
ROOT::RVecF PtFractionWithin(const ROOT::RVec<A> &pt, const ROOT::RVec<A> &eta, const ROOT::RVec<A> &phi,
                             const ROOT::RVec<B> &otherPt, const ROOT::RVec<B> &otherEta, const ROOT::RVec<B> &otherPhi,
                             float radius)
{
   ROOT::RVecF out(eta.size(), 0.f);
   for (std::size_t i = 0; i < eta.size(); ++i) {
      if (!(pt[i] > 0))
         continue;
      float sum = 0.f;
      for (std::size_t j = 0; j < otherEta.size(); ++j)
         if (DeltaR(eta[i], phi[i], otherEta[j], otherPhi[j]) < radius)
            sum += otherPt[j];
      out[i] = sum / pt[i];
   }
   return out;
}

/// For each object: the index of the closest other object within Delta R < radius, else -1
/// (as NanoAOD's Muon_jetIdx, Electron_photonIdx, ...).
template <typename A, typename B>
ROOT::RVec<Short_t> ClosestIndex(const ROOT::RVec<A> &eta, const ROOT::RVec<A> &phi, const ROOT::RVec<B> &otherEta,
                                 const ROOT::RVec<B> &otherPhi, float radius)
{
   ROOT::RVec<Short_t> out(eta.size(), -1);
   for (std::size_t i = 0; i < eta.size(); ++i) {
      float best = radius;
      for (std::size_t j = 0; j < otherEta.size(); ++j) {
         const float dr = DeltaR(eta[i], phi[i], otherEta[j], otherPhi[j]);
         if (dr < best) {
            best = dr;
            out[i] = static_cast<Short_t>(j);
         }
      }
   }
   return out;
}

/// The inverse of a cross-reference: for each target object t (of nTargets), the index of the
/// rank-th object whose `index` points at t, else -1 (e.g. Jet_muonIdx1/2 from Muon_jetIdx).
template <typename I, typename N>
ROOT::RVec<Short_t> InverseIndex(const ROOT::RVec<I> &index, N nTargets, int rank)
{
   ROOT::RVec<Short_t> out(static_cast<std::size_t>(nTargets), -1);
   ROOT::RVecI seen(static_cast<std::size_t>(nTargets), 0);
   for (std::size_t i = 0; i < index.size(); ++i) {
      const auto t = static_cast<long long>(index[i]);
      if (t < 0 || t >= static_cast<long long>(nTargets))
         continue;
      if (seen[t]++ == rank)
         out[t] = static_cast<Short_t>(i);
   }
   return out;
}

/// For each object of a collection: the index of the object of another collection made from the same gen
/// particle (equal gen indices, both >= 0), else -1. The reference detector's shared-supercluster link
/// (Electron_photonIdx, Photon_electronIdx): an electron and the photon of its supercluster come from one
/// gen electron, a converted photon and its electron from one gen photon, so both carry its GenPart index.
template <typename I, typename J>
ROOT::RVec<Short_t> SameGenIndex(const ROOT::RVec<I> &genIndex, const ROOT::RVec<J> &otherGenIndex)
{
   ROOT::RVec<Short_t> out(genIndex.size(), -1);
   for (std::size_t i = 0; i < genIndex.size(); ++i) {
      if (genIndex[i] < 0)
         continue;
      for (std::size_t j = 0; j < otherGenIndex.size(); ++j) {
         if (static_cast<long long>(otherGenIndex[j]) == static_cast<long long>(genIndex[i])) {
            out[i] = static_cast<Short_t>(j);
            break;
         }
      }
   }
   return out;
}

/// For each target object: how many objects point at it (e.g. Jet_nMuons from Muon_jetIdx).
template <typename I, typename N>
ROOT::RVec<UChar_t> CountPointing(const ROOT::RVec<I> &index, N nTargets)
{
   ROOT::RVec<UChar_t> out(static_cast<std::size_t>(nTargets), 0);
   for (const auto t : index)
      if (t >= 0 && static_cast<long long>(t) < static_cast<long long>(nTargets) && out[t] < 255)
         ++out[t];
   return out;
}

} // namespace Neighbours
} // namespace flashsim

#endif
