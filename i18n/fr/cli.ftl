# Les messages de la commande `dialtone`, en français. Chaque message est aussi dans ../en/cli.ftl,
# avec les mêmes variables (vérifié par les tests de la crate dialtone-i18n). L'aide que clap
# produit (--help) et les erreurs des bibliothèques sous la commande (l'erreur fichier:ligne d'un
# manifeste ou d'un plan, un échec HTTP) restent en anglais. Traduction du projet dialtone; le
# glossaire est celui de report.ftl (bundle → lot, shard → tranche, campaign → campagne,
# counterpart → contrepartie, mutant → mutant, selftest → autotest, key → clé).

testing-references = aucun --candidate donné : essai des candidats de référence intégrés à { $urls }
wrote = écrit : { $path }
wrote-signed = écrit : { $path } (signé par la clé { $key })
no-artifact-files = aucun fichier d'artefact donné
shard-not-signed = une tranche n'est pas signée seule : donnez --sign à `dialtone merge`, qui signe la campagne
check-selection = { $shown } artefacts sur { $total } montrés ici, ceux à examiner d'abord; report.json et junit.xml les contiennent tous
merged = { $shards } tranches réunies : { $cases } cas
shard-done = tranche { $shard } : { $cases } cas exécutés ({ $failed } en échec avant le règlement avec les autres tranches); écrit : { $path }
shard-merge-hint = `dialtone merge` réunit les { $count } tranches dans le rapport et le verdict de la campagne
counterparts = contreparties : émetteur { $trusted } (autorisé), émetteur { $untrusted } (non autorisé), registre de confiance { $registry } ({ $authority })
counterparts-new = ces contreparties sont nouvelles pour cet essai ({ $missing }) : un vérificateur configuré à l'avance (`dialtone counterparts export`) ne les connaît pas
counterparts-no-seed-no-ports = ni --seed (ni DIALTONE_TEST_CA_DIR) ni ports [counterparts]
counterparts-no-seed = ni --seed ni DIALTONE_TEST_CA_DIR
counterparts-no-ports = aucun port [counterparts] dans le manifeste
selftest-summary = autotest : { $cases } cas, référence + { $mutants } mutants, { $seconds } s; écrit : { $path }
selftest-declared = chaque mutant a été exécuté sur les cas qui le nomment (`dialtone selftest --matrix` : sur chaque cas qui lit ce qu'il change)
selftest-ok = autotest : OK — la référence réussit chaque cas, chaque mutant est détecté, chaque cas détecte un mutant
selftest-problem = problème d'autotest : { $problem }
verify-verified = { $path } : vérifié — { $signer }
verify-signer-trusted = signé par la clé { $key } ({ $whose })
verify-signer-unnamed = signé par la clé { $key }, que vous n'avez pas nommée (--key FICHIER)
verify-build = { $build } : `{ $command }` du { $at }
verify-candidate = candidat : { $name } — { $vendor } — { $version } ({ $roles })
verify-verdict = verdict : { $statement } ({ $results } résultats)
verify-files-full = fichiers : les { $signed } fichiers signés, présents et inchangés
verify-files-public = fichiers : la vue publique; { $withheld } fichiers signés sur { $signed } retenus ({ $names })
verify-inputs = intrants : { $inputs }

# dialtone interop
interop-summary = { $chains ->
        [one] { $chains } chaîne
       *[other] { $chains } chaînes
    }, { $pass ->
        [one] { $pass } réussie
       *[other] { $pass } réussies
    }, { $failed ->
        [one] { $failed } en échec
       *[other] { $failed } en échec
    }
interop-merged = { $shards } tranches de la matrice d'interopérabilité réunies : { $chains ->
        [one] { $chains } chaîne
       *[other] { $chains } chaînes
    }
interop-shard-done = tranche { $shard } : { $run } des { $chains } chaînes de la matrice exécutées; écrit : { $path }
interop-merge-hint = `dialtone merge` réunit les { $count } tranches en la matrice et son verdict
