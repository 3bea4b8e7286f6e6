#!/usr/bin/env bash
# Rebuilds the bundled example studies in public/examples from their designs (examples/*.design.json)
# and the real human data copied into public/examples/data (provenance: public/examples/data/PROVENANCE.md).
# tests/it/examples.rs checks that the committed files equal what this script produces.
set -euo pipefail
cd "$(dirname "$0")/.."
silico="${SILICO:-cargo run --quiet --bin silico --}"

$silico add-table examples/immigration.design.json public/examples/data/cregg_immigration.csv \
  --name human --source human \
  --description "Real responses of 1,396 US adults (5 tasks x 2 profiles each; 13,960 rows) from the immigration conjoint of Hainmueller, Hopkins & Yamamoto (2014), as shipped in the R package cregg 0.3.7 (data/immigration.rda), converted to CSV." \
  --citation "Hainmueller, Hopkins & Yamamoto (2014), Political Analysis 22(1):1-30, doi:10.1093/pan/mpt024; data via R package cregg 0.3.7 (Thomas J. Leeper, MIT)" \
  --license "cregg package: MIT; data from the authors' public replication archive (cite the paper)" \
  --role CaseID=respondent --role contest_no=task --role profile=profile --role ChosenImmigrant=outcome \
  --out public/examples/immigration.json
