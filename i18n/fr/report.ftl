# Les rapports de dialtone (report.html, le rapport au terminal), en français. Chaque message est
# aussi dans ../en/report.ftl, avec les mêmes variables (vérifié par les tests de la crate
# dialtone-i18n). Traduction du projet dialtone. report.json reste en anglais (son `statement`
# est la phrase anglaise) : ce sont des données, les mêmes quelle que soit la langue des rapports.
#
# Glossaire (le même que celui du service d'examen, ../fr/serve.ftl) :
#   pass → réussi            fail → échec              warn → avertissement
#   info → information       blocked → bloqué          inconclusive → non concluant
#   skip → sans objet        error → erreur
#   conforms → conforme      does not conform → non conforme      incomplete → incomplet
#   MUST → DOIT   SHOULD → DEVRAIT   MAY → PEUT : les mots clés de la RFC 2119 sont traduits comme
#     le fait la version française officielle du PSP CCP (« L'entité évaluée DOIT… »), que le
#     rapport cite; report.json garde MUST, SHOULD, MAY.
#   issuer → émetteur        wallet → portefeuille     verifier → vérificateur
#   registry → registre      artifact → artefact       holder → détenteur
#   credential → justificatif (le terme du gouvernement du Canada dans le PSP CCP)
#   case → cas               plan → plan               criterion → critère
#   PCTF → CCP (Cadre de confiance pancanadien)       evidence → preuves
#   expectations (known failures) → attentes (échecs connus)
#   the candidate said → le candidat a répondu
# Typographie : une espace avant le deux-points, aucune avant le point-virgule (usage canadien).

## Mots

verdict-pass = réussi
verdict-fail = échec
verdict-warn = avertissement
verdict-info = information
verdict-blocked = bloqué
verdict-inconclusive = non concluant
verdict-skip = sans objet
verdict-error = erreur

conformance-conforms = conforme
conformance-incomplete = incomplet
conformance-does_not_conform = non conforme

level-MUST = DOIT
level-SHOULD = DEVRAIT
level-MAY = PEUT

role-issuer = émetteur
role-wallet = portefeuille
role-verifier = vérificateur
role-registry = registre
role-artifact = artefact

criterion-met = satisfait
criterion-not_met = non satisfait
criterion-not_tested = non testé
criterion-evidence_required = preuves requises
criterion-not_applicable = sans objet

artifact-valid = valide
artifact-acceptable = acceptable
artifact-unverified = non vérifié
artifact-invalid = invalide
artifact-error = erreur
artifact-unsupported = non pris en charge

## La phrase du verdict

statement-conforms = conforme : aucune exigence DOIT en échec{ $warnings ->
        [0] {""}
        [one] {" "}({ $warnings } avertissement DEVRAIT)
       *[other] {" "}({ $warnings } avertissements DEVRAIT)
    }; { $scope }
statement-invalid-artifacts = non conforme : { $invalid } { $artifacts ->
        [one] artefact sur 1 invalide
       *[other] sur { $artifacts } artefacts invalides
    }; { $scope }
statement-does-not-conform = non conforme : { $failures ->
        [one] { $failures } exigence DOIT en échec
       *[other] { $failures } exigences DOIT en échec
    }{ $known ->
        [0] {""}
        [one] , dont { $known } connue
       *[other] , dont { $known } connues
    }{ $blocked ->
        [0] {""}
        [one] , 1 autre cas bloqué par celles-ci
       *[other] , { $blocked } autres cas bloqués par celles-ci
    }; { $scope }
statement-incomplete = incomplet : { $why }; aucune exigence DOIT en échec parmi les autres; { $scope }
why-errors = { $count ->
        [one] { $count } cas n'a pas pu être exécuté (erreur)
       *[other] { $count } cas n'ont pas pu être exécutés (erreur)
    }
why-inconclusive = { $count ->
        [one] { $count } refus non concluant
       *[other] { $count } refus non concluants
    }
why-unverified = { $count ->
        [one] { $count } artefact non vérifié
       *[other] { $count } artefacts non vérifiés
    } (aucune clé n'a vérifié la signature : donnez --keys, --trust ou --fetch-keys)
why-unsupported = { $count ->
        [one] { $count } artefact
       *[other] { $count } artefacts
    } sous une forme que dialtone ne lit pas (non pris en charge : chacun dit pourquoi)
scope-run = { $judged ->
        [one] { $judged } cas jugé
       *[other] { $judged } cas jugés
    } ({ $not_applicable } sans objet) dans { $plans ->
        [one] { $plans } plan
       *[other] { $plans } plans
    } pour { $role_count ->
        [one] le rôle
       *[other] les rôles
    } { $roles }
scope-profiles = , profils { $profiles }
scope-check = { $artifacts ->
        [one] { $artifacts } artefact stocké vérifié
       *[other] { $artifacts } artefacts stockés vérifiés
    }, { $judged } résultats de règles

## La page HTML

page-title = Rapport dialtone : { $candidate }
page-heading = Rapport de conformité dialtone
col-plan = plan
col-verdict = verdict
col-cases = cas
col-must-failures = échecs DOIT
col-blocked = bloqués
col-errors = erreurs
col-inconclusive = non concluants
col-id = identifiant
col-level = niveau
col-title = intitulé
col-observed = constat
col-title-details = intitulé et détails
col-artifact = artefact
col-format = format
col-why = motif
col-criterion = critère
col-status = état
col-process-criterion = processus et critère
col-cases-behind = cas qui en témoignent
covers = Portée : { $suites } · rôles { $roles }
covers-profiles = profils { $profiles }
covers-cases = { $judged } cas jugés, { $not_applicable } sans objet
candidate-by = de { $vendor }
candidate-roles = rôles : { $roles }
generated = produit le { $at } par dialtone { $version } · schéma du rapport { $schema }
seed = graine { $seed }
suites = plans : { $suites }
count-pass = { $count ->
        [one] { $count } réussi
       *[other] { $count } réussis
    }
count-fail = { $count ->
        [one] { $count } échec
       *[other] { $count } échecs
    }
count-known = ({ $count ->
        [one] { $count } connu
       *[other] { $count } connus
    })
count-blocked = { $count ->
        [one] { $count } bloqué
       *[other] { $count } bloqués
    }
count-warn = { $count ->
        [one] { $count } avertissement
       *[other] { $count } avertissements
    }
count-info = { $count } information
count-inconclusive = { $count ->
        [one] { $count } non concluant
       *[other] { $count } non concluants
    }
count-skip = { $count } sans objet
count-error = { $count ->
        [one] { $count } erreur
       *[other] { $count } erreurs
    }
count-total = sur { $count } cas
conformance-statement = Déclaration de conformité : { $claims }
artifacts-heading = Artefacts ({ $count })
attention-heading = À examiner
known-failure-label = échec connu : { $reason }
blocked-by-inline = bloqué par
candidate-said = Le candidat a répondu :
known-failures-summary = échecs connus ({ $count })
known-failures-listed = inscrits dans { $file }
expectations-heading = Attentes ({ $file }) :
expectation-now-passes = réussit désormais (retirez l'entrée).
expectation-not-judged = { $id } n'a pas été jugé dans cet essai.
not-applicable-summary = sans objet pour ce candidat ({ $count } cas)
chain-heading = Chaîne de bout en bout
role-section = { $role } ({ $passed ->
        [one] { $passed } réussi
       *[other] { $passed } réussis
    } sur { $total })
details = détails
spec-label = Spécification :
pctf-label = CCP :
driver-label = pilote
blocked-by-label = Bloqué par
blocked-by-step = l'étape dont il a besoin ({ $step }) y a échoué.
known-failure-heading = Échec connu :
expected-label = Attendu :
observed-label = Observé :
no-response = aucune réponse
error-label = Erreur :
artifact-evidence = artefact : { $label }
pctf-heading = Critères du CCP
pctf-source = { $catalogue }, version { $version }. Contient des informations visées par la Licence du gouvernement ouvert – Canada.
pctf-statuses = Un critère qu'aucun cas de cet essai ne teste est « preuves requises » lorsque son processus concerne un rôle mis à l'essai (le candidat fournit les preuves), sinon « sans objet ».
pctf-translation = Noms des processus et textes des critères : la version française officielle du cahier d'évaluation du PSP CCP v1.4, là où le texte anglais du critère n'a pas changé en v1.5; ailleurs, la traduction du projet dialtone, marquée comme telle.
pctf-project-translation = traduction du projet
criterion-text = texte du critère
criteria-untested = critères sans essai automatisé ({ $count })
observed-language-note = Les constats, les attentes et les preuves (messages HTTP, artefacts) sont rapportés tels que dialtone et le candidat les ont écrits, en anglais.

## Le rapport au terminal

terminal-plan = plan { $name } { $status } ({ $cases } cas, { $must_failures ->
        [one] { $must_failures } échec DOIT
       *[other] { $must_failures } échecs DOIT
    }, { $blocked ->
        [one] { $blocked } bloqué
       *[other] { $blocked } bloqués
    }, { $errors ->
        [one] { $errors } erreur
       *[other] { $errors } erreurs
    })
terminal-candidate-said = { $observed } — le candidat a répondu : { $said }
terminal-known-failure = échec connu ({ $reason }) : { $observed }
terminal-not-applicable = { $count } cas sans objet pour ce candidat (--all les liste)
terminal-now-passes = attentes : { $id } réussit désormais : retirez-le de { $file }
terminal-not-judged = attentes : { $id } n'a pas été jugé dans cet essai
terminal-totals = { $total } cas — { $pass ->
        [one] { $pass } réussi
       *[other] { $pass } réussis
    }, { $fail ->
        [one] { $fail } échec
       *[other] { $fail } échecs
    }{ $known ->
        [0] {""}
        [one] {" "}({ $known } connu)
       *[other] {" "}({ $known } connus)
    }, { $blocked ->
        [one] { $blocked } bloqué
       *[other] { $blocked } bloqués
    }, { $warn ->
        [one] { $warn } avertissement
       *[other] { $warn } avertissements
    }, { $info } information, { $inconclusive ->
        [one] { $inconclusive } non concluant
       *[other] { $inconclusive } non concluants
    }, { $skip } sans objet, { $error ->
        [one] { $error } erreur
       *[other] { $error } erreurs
    } — { $ms } ms

## La matrice d'interopérabilité (matrix.html)
interop-title = Matrice d'interopérabilité dialtone
interop-heading = Matrice d'interopérabilité
interop-chains = { $chains ->
        [one] { $chains } chaîne
       *[other] { $chains } chaînes
    } en { $ms } ms.
interop-explain = Chaque cellule est une chaîne, menée par les API de contrôle des candidats et leurs interfaces publiques : l'émetteur de la ligne délivre (OpenID4VCI), le portefeuille de la colonne obtient et présente (OpenID4VP), le vérificateur de la colonne juge. Une cellule en échec nomme l'étape qui a échoué et renvoie au rapport complet de l'exécution, avec ses preuves.
interop-corner = émetteur ↓ · portefeuille → vérificateur →
interop-at-step = à l'étape
interop-report-link = rapport et preuves
interop-no-report = aucun rapport : l'exécution n'a pas pu commencer
