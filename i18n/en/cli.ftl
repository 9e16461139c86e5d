# The `dialtone` command's messages to people, in English. Every message is also in
# ../fr/cli.ftl with the same variables (checked by the dialtone-i18n crate's tests). clap's
# generated --help and the errors of the libraries beneath the command (a manifest's or a suite's
# file:line error, an HTTP failure) stay English.

testing-references = no --candidate given: testing the built-in reference candidates at { $urls }
wrote = wrote { $path }
wrote-signed = wrote { $path } (signed by key { $key })
no-artifact-files = no artifact files given
shard-not-signed = a shard is not signed on its own: give --sign to `dialtone merge`, which signs the campaign
check-selection = { $shown } of { $total } artifacts shown here, those that need attention first; report.json and junit.xml have every one
merged = merged { $shards } shards: { $cases } cases
shard-done = shard { $shard }: { $cases } cases run ({ $failed } failed before settling against the other shards); wrote { $path }
shard-merge-hint = `dialtone merge` joins the { $count } shards into the campaign's report and verdict
counterparts = counterparts: issuer { $trusted } (authorized), issuer { $untrusted } (not authorized), trust registry { $registry } ({ $authority })
counterparts-new = these counterparts are new to this run ({ $missing }): a verifier configured in advance (`dialtone counterparts export`) does not know them
counterparts-no-seed-no-ports = no --seed (nor DIALTONE_TEST_CA_DIR) and no [counterparts] ports
counterparts-no-seed = no --seed (nor DIALTONE_TEST_CA_DIR)
counterparts-no-ports = no [counterparts] ports in the manifest
selftest-summary = selftest: { $cases } cases, reference + { $mutants } mutants, { $seconds } s; wrote { $path }
selftest-declared = each mutant ran on the cases that name it (`dialtone selftest --matrix`: on every case that reads what it changes)
selftest-ok = selftest: OK — the reference passes every case, every mutant is caught, every case catches a mutant
selftest-problem = selftest problem: { $problem }
verify-verified = { $path }: verified — { $signer }
verify-signer-trusted = signed by key { $key } ({ $whose })
verify-signer-unnamed = signed by key { $key }, which you did not name (--key FILE)
verify-build = { $build }: `{ $command }` of { $at }
verify-candidate = candidate: { $name } — { $vendor } — { $version } ({ $roles })
verify-verdict = verdict: { $statement } ({ $results } results)
verify-files-full = files: all { $signed } signed files present and unchanged
verify-files-public = files: the public view; { $withheld } of { $signed } signed files withheld ({ $names })
verify-inputs = inputs: { $inputs }

# dialtone interop
interop-summary = { $chains ->
        [one] 1 chain
       *[other] { $chains } chains
    }, { $pass } pass, { $failed ->
        [one] 1 does not
       *[other] { $failed } do not
    }
interop-merged = merged { $shards } shards of the interop matrix: { $chains ->
        [one] 1 chain
       *[other] { $chains } chains
    }
interop-shard-done = shard { $shard }: { $run } of the matrix's { $chains } chains run; wrote { $path }
interop-merge-hint = `dialtone merge` joins the { $count } shards into the matrix and its verdict
