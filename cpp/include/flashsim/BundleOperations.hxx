#ifndef FLASHSIM_BUNDLEOPERATIONS_HXX
#define FLASHSIM_BUNDLEOPERATIONS_HXX

// A bundle is data, not code (manifest format 2). Its derived columns, its cross-references and
// its sources' gen selections name operations of this registry and a small cut grammar; the
// RDataFrame expressions are written here, from names checked to be column names and numbers
// checked to be numbers, so a manifest can only compose what the library provides. Format 1
// manifests carried free C++ text, which cling compiles and runs when the bundle is loaded: they
// are read only with an explicit opt-in (Bundle(directory, true), --allow-bundle-code).
//
// The same functions serve the C++ reader (Bundle.cxx) and Python (flashsim.bundle.operations:
// the training's extraction defines exactly the columns the simulation defines).

#include <string>
#include <vector>

namespace flashsim {

/// A column defined with an RDataFrame expression: derived conditioning computed before the
/// simulation (and by the extraction of the training data, from the same entries), or
/// cross-references computed after it.
struct DefinedColumn {
   std::string column;
   std::string expression;
   std::vector<std::string> inputs;      ///< columns the expression reads (checked before the loop)
   std::vector<std::string> collections; ///< collections that must be simulated for it ("requires")
   /// derived columns: the simulated collections whose branches it reads (found at load, Detail/BuildOrder.hxx);
   /// defined once they are simulated
   std::vector<std::string> builtFrom;
};

namespace Operations {

/// A selection of the cut grammar, as an RDataFrame expression and the columns it reads.
///   cut  := and ('||' and)*      and := unary ('&&' unary)*
///   unary := '!' unary | '(' cut ')' | term cmp term      cmp := == != < <= > >=
///   term := column | number | 'abs(' column ')'
/// A column is a NanoAOD-like name (Collection_branch, nCollection), a number a decimal literal.
struct Cut {
   std::string expression;
   std::vector<std::string> inputs;
};

/// Parses `text`; BundleError "flashsim: <where>: ..." naming what is wrong.
Cut ParseCut(const std::string &text, const std::string &where);

/// One derived or postprocess entry of manifest format 2 (the JSON text of its object:
/// {"column": ..., "op": ..., <parameters>, "requires": [...]}) as a column definition;
/// BundleError naming `where` for an unknown operation, a missing, extra or ill-typed parameter,
/// or a name that is not a column name.
DefinedColumn Define(const std::string &entryJson, const std::string &where);

/// The names of the registry's operations, sorted.
std::vector<std::string> Names();

/// Whether `name` may stand for a column in a bundle: a NanoAOD-like name (letters, digits and
/// underscores, starting with a letter, with an underscore or of the form nCollection).
bool IsColumnName(const std::string &name);

} // namespace Operations
} // namespace flashsim

#endif
