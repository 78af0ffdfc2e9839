#include "flashsim/SimulatedObjects.hxx"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace flashsim {
namespace Internal {

void MergeSorted(const std::vector<const SimulatedObjects *> &parts, int sortBranch, SimulatedObjects &out)
{
   std::size_t total = 0;
   out.nBranches = parts.empty() ? 0 : parts.front()->nBranches;
   out.ode = OdeResult{};
   out.skippedGen = 0;
   for (const auto *part : parts) {
      total += part->size;
      out.ode.nfe += part->ode.nfe;
      out.ode.rowEvaluations += part->ode.rowEvaluations;
      out.ode.maxRowEvaluations = std::max(out.ode.maxRowEvaluations, part->ode.maxRowEvaluations);
      out.ode.rows += part->ode.rows;
      out.ode.acceptedSteps = std::max(out.ode.acceptedSteps, part->ode.acceptedSteps);
      out.ode.rejectedSteps = std::max(out.ode.rejectedSteps, part->ode.rejectedSteps);
      out.skippedGen += part->skippedGen;
   }
   // (part, row) of every object, in source order, then sorted
   std::vector<std::pair<const SimulatedObjects *, std::size_t>> order;
   order.reserve(total);
   for (const auto *part : parts)
      for (std::size_t k = 0; k < part->size; ++k)
         order.emplace_back(part, k);
   if (sortBranch >= 0)
      std::stable_sort(order.begin(), order.end(), [sortBranch](const auto &a, const auto &b) {
         return a.first->Column(sortBranch)[a.second] > b.first->Column(sortBranch)[b.second];
      });
   out.size = total;
   out.values.resize(out.nBranches * total);
   out.genIndex.resize(total);
   for (std::size_t r = 0; r < total; ++r) {
      const auto &[part, k] = order[r];
      out.genIndex[r] = part->genIndex[k];
      for (std::size_t j = 0; j < out.nBranches; ++j)
         out.values[j * total + r] = part->Column(j)[k];
   }
}

void RescaleToSumOne(SimulatedObjects &objects, const std::vector<std::vector<int>> &groups)
{
   for (const auto &group : groups)
      for (std::size_t k = 0; k < objects.size; ++k) {
         double total = 0.0;
         for (int j : group)
            total += objects.values[j * objects.size + k];
         if (total > 0.0)
            for (int j : group)
               objects.values[j * objects.size + k] /= total;
      }
}

void MergeCollection(const std::vector<const SimulatedObjects *> &parts, const CollectionMerge &merge,
                     SimulatedObjects &out)
{
   MergeSorted(parts, merge.sortBranch, out);
   ApplyAcceptance(out, merge.acceptance);
   RescaleToSumOne(out, merge.sumToOne);
   ApplyRelations(out, merge.relations);
   ApplyWorkingPoints(out, merge.workingPoints);
}

void ApplyRelations(SimulatedObjects &objects, const std::vector<RelationRule> &rules)
{
   for (const auto &rule : rules) {
      double *out = objects.values.data() + rule.branch * objects.size;
      if (rule.op == RelationRule::kScoreShift) {
         const double *score = objects.Column(rule.of[0]), *by = objects.Column(rule.of[1]);
         for (std::size_t k = 0; k < objects.size; ++k)
            out[k] = std::tanh(std::atanh(std::clamp(score[k], -1.0, 1.0)) + rule.coefficient * by[k]);
         continue;
      }
      for (std::size_t k = 0; k < objects.size; ++k) {
         double squared = 0.0, spread = 0.0;
         for (std::size_t i = 0; i < rule.of.size(); ++i) {
            const double x = objects.Column(rule.of[i])[k];
            squared += x * x;
            if (rule.op == RelationRule::kNormSignificance) {
               const double e = x * objects.Column(rule.errors[i])[k];
               spread += e * e;
            }
         }
         if (rule.op == RelationRule::kNorm)
            out[k] = std::sqrt(squared);
         else
            out[k] = spread > 0.0 ? squared / std::sqrt(spread) : 0.0;
      }
   }
}

void ApplyWorkingPoints(SimulatedObjects &objects, const std::vector<WorkingPointRule> &rules)
{
   for (const auto &rule : rules) {
      const double *score = objects.Column(rule.of);
      double *level = objects.values.data() + rule.branch * objects.size;
      for (std::size_t k = 0; k < objects.size; ++k) {
         std::size_t passed = 0;
         while (passed < rule.thresholds.size() && score[k] > rule.thresholds[passed])
            ++passed;
         level[k] = rule.values[passed];
      }
   }
}

void ApplyAcceptance(SimulatedObjects &objects, const std::vector<AcceptanceRule> &rules)
{
   for (const auto &rule : rules) {
      const double *eta = objects.Column(rule.eta);
      double *values = objects.values.data() + rule.branch * objects.size;
      for (std::size_t k = 0; k < objects.size; ++k)
         if (std::abs(eta[k]) > rule.absAbove)
            values[k] = rule.value;
   }
}

} // namespace Internal
} // namespace flashsim
