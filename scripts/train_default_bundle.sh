#!/usr/bin/env bash
# Reproduces python/flashsim/bundle/default (v14, 2026-12-07) in one run: the reference-detector samples for training
# (ttbar, dy, wjets, qcd and eight corners of phase space: qcd_flat, zprime_tt, zprime_ww, gamma_jets, zjets_boosted,
# zbb_boosted, zprime_ll), then one `flashsim train` with the package's default_config.json, which trains every
# collection the reference detector writes (23 sources, two at a time on the 2 cores) and distils each velocity field
# into its 4-step student (the config's "distillation"; the bundle's ODE method is "distilled"). Every rule of the
# catalogue (floors, efficiency edges, spikes, quantiles, relations, working points) is found by that train line.
# The held-out samples for the quality checks come after, outside the budget of issue "Generalisation".
# Times (docs/train.md, "One run"): the lines are echoed with the clock (PS4), so the log of a run is its timing.
# Bundles before v14 were the v13 train line plus collections retrained alone and put in place; their lines are in
# the git history of this script (git show f7c4889:scripts/train_default_bundle.sh).
#
#   scripts/train_default_bundle.sh [work-dir] [training|held-out|all]
set -euo pipefail
work=${1:-work_default_bundle}
part=${2:-all}
mkdir -p "$work" && cd "$work"
export PS4='+ $(date +%T) '
set -x
gen() { flashsim generate --process "$1" --events "$2" --seed "$3" --run "$4" -o "$5" --jobs 2 --no-progress; }
if [[ $part != held-out ]]; then
    gen ttbar 20000 111 1 big_gen_ttbar_111.root && flashsim reference big_gen_ttbar_111.root -o big_full_ttbar_111.root --seed 111
    gen ttbar 40000 112 3 big_gen_ttbar_112.root && flashsim reference big_gen_ttbar_112.root -o big_full_ttbar_112.root --seed 112
    gen ttbar 5000 101 1 gen_ttbar_101.root && flashsim reference gen_ttbar_101.root -o full_ttbar_101.root --seed 101
    gen dy 3000 102 1 gen_dy_102.root && flashsim reference gen_dy_102.root -o full_dy_102.root --seed 102
    gen wjets 3000 103 1 gen_wjets_103.root && flashsim reference gen_wjets_103.root -o full_wjets_103.root --seed 103
    gen qcd 3000 104 1 gen_qcd_104.root && flashsim reference gen_qcd_104.root -o full_qcd_104.root --seed 104
    # the corners of phase space (issue "Generalisation"): 31,000 events
    gen qcd_flat 8000 501 7 gen_qcd_flat_501.root && flashsim reference gen_qcd_flat_501.root -o full_qcd_flat_501.root --seed 501
    gen zprime_tt 4000 502 8 gen_zprime_tt_502.root && flashsim reference gen_zprime_tt_502.root -o full_zprime_tt_502.root --seed 502
    gen zprime_ww 4000 503 9 gen_zprime_ww_503.root && flashsim reference gen_zprime_ww_503.root -o full_zprime_ww_503.root --seed 503
    gen gamma_jets 4000 504 10 gen_gamma_jets_504.root && flashsim reference gen_gamma_jets_504.root -o full_gamma_jets_504.root --seed 504
    gen zjets_boosted 4000 505 11 gen_zjets_boosted_505.root && flashsim reference gen_zjets_boosted_505.root -o full_zjets_boosted_505.root --seed 505
    gen zbb_boosted 4000 507 13 gen_zbb_boosted_507.root && flashsim reference gen_zbb_boosted_507.root -o full_zbb_boosted_507.root --seed 507
    gen zprime_ll 3000 506 12 gen_zprime_ll_506.root && flashsim reference gen_zprime_ll_506.root -o full_zprime_ll_506.root --seed 506
    flashsim train big_full_ttbar_111.root big_full_ttbar_112.root full_ttbar_101.root full_dy_102.root full_wjets_103.root \
        full_qcd_104.root full_qcd_flat_501.root full_zprime_tt_502.root full_zprime_ww_503.root full_gamma_jets_504.root \
        full_zjets_boosted_505.root full_zbb_boosted_507.root full_zprime_ll_506.root -o default_bundle \
        --config "$(python -c 'import flashsim.train, pathlib; print(pathlib.Path(flashsim.train.__file__).parent / "default_config.json")')"
fi
if [[ $part != training ]]; then
    # quality on 20,000 held-out ttbar events (benchmarks/quality_default_bundle.py), with a control: the same gen
    # events through the reference detector with another seed
    gen ttbar 20000 201 2 gen_ttbar_201.root && flashsim reference gen_ttbar_201.root -o full_ttbar_201.root --seed 201
    flashsim reference gen_ttbar_201.root -o full_ttbar_201_seed202.root --seed 202
    # held-out generalisation samples (never trained on): 10,000 events each, controls refsim seed + 1000
    gen vbf_hmumu 10000 401 5 gen_vbf_hmumu_401.root && flashsim reference gen_vbf_hmumu_401.root -o full_vbf_hmumu_401.root --seed 401
    flashsim reference gen_vbf_hmumu_401.root -o full_vbf_hmumu_401_seed1401.root --seed 1401
    gen zh_llbb 10000 402 6 gen_zh_llbb_402.root && flashsim reference gen_zh_llbb_402.root -o full_zh_llbb_402.root --seed 402
    flashsim reference gen_zh_llbb_402.root -o full_zh_llbb_402_seed1402.root --seed 1402
fi
