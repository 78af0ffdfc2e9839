#ifndef FLASHSIM_RDF_GENPARTICLES_HXX
#define FLASHSIM_RDF_GENPARTICLES_HXX

// Facts about one gen particle from its PDG id, for bundle expressions (the derived columns
// gen_origin and hadron_flavour of BundleOperations.cxx), one implementation for both.

#include <cstdlib>

namespace flashsim {
namespace GenParticles {

/// 5 for b hadrons, 4 for c hadrons (mesons and baryons), else 0 (quarks, leptons, light hadrons).
inline int HadronFlavour(int pdgId)
{
   const int a = std::abs(pdgId);
   if (a < 100)
      return 0;
   const int q1 = (a / 100) % 10, q2 = (a / 1000) % 10;
   if (q1 == 5 || q2 == 5)
      return 5;
   return q1 == 4 || q2 == 4 ? 4 : 0;
}

} // namespace GenParticles
} // namespace flashsim

#endif
