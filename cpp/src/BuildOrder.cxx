#include "flashsim/Detail/BuildOrder.hxx"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace flashsim {

std::vector<std::string> CollectionSpec::Outputs() const
{
   std::vector<std::string> out;
   if (!event)
      out.push_back("n" + name);
   for (const auto &branch : Branches())
      out.push_back(name + "_" + branch.first);
   if (!indexBranch.empty())
      out.push_back(name + "_" + indexBranch);
   return out;
}

namespace Detail {
namespace {

void AddOnce(std::vector<std::string> &to, const std::string &name)
{
   if (std::find(to.begin(), to.end(), name) == to.end())
      to.push_back(name);
}

} // namespace

void ResolveBuildOrder(std::vector<CollectionSpec> &collections, std::vector<DefinedColumn> &derived)
{
   std::map<std::string, std::size_t> writer; // column -> the collection that writes it
   for (std::size_t c = 0; c < collections.size(); ++c)
      for (const auto &column : collections[c].Outputs())
         writer.emplace(column, c);
   std::map<std::string, const DefinedColumn *> derivedByName;
   for (auto &column : derived) { // in order: a derived column reads the input and earlier derived columns
      column.builtFrom.clear();
      for (const auto &input : column.inputs) {
         if (const auto at = writer.find(input); at != writer.end())
            AddOnce(column.builtFrom, collections[at->second].name);
         if (const auto at = derivedByName.find(input); at != derivedByName.end())
            for (const auto &name : at->second->builtFrom)
               AddOnce(column.builtFrom, name);
      }
      derivedByName[column.column] = &column;
   }
   for (std::size_t c = 0; c < collections.size(); ++c) {
      auto &collection = collections[c];
      collection.builtFrom.clear();
      collection.stage = 0;
      for (const auto &source : collection.sources) {
         std::vector<std::string> read = source.genColumns;
         read.insert(read.end(), source.selectInputs.begin(), source.selectInputs.end());
         if (!source.genCollection.empty())
            read.push_back("n" + source.genCollection); // a source on a simulated collection: its objects
         for (const auto &column : read) {
            std::vector<std::string> needs;
            if (const auto at = writer.find(column); at != writer.end())
               needs.push_back(collections[at->second].name);
            if (const auto at = derivedByName.find(column); at != derivedByName.end())
               needs = at->second->builtFrom;
            for (const auto &name : needs) {
               const auto other = std::find_if(collections.begin(), collections.end(),
                                               [&](const CollectionSpec &x) { return x.name == name; });
               if (static_cast<std::size_t>(other - collections.begin()) >= c)
                  throw std::invalid_argument(
                     "collections[" + std::to_string(c) + "]: " + collection.name + " <- " + source.name + " reads '" +
                     column + "', which is built from the simulated " + name +
                     (name == collection.name ? ", the collection itself"
                                              : ", listed after it: list " + name + " before " + collection.name));
               AddOnce(collection.builtFrom, name);
               collection.stage = std::max(collection.stage, other->stage + 1);
            }
         }
      }
   }
}

} // namespace Detail
} // namespace flashsim
