# Le service d'examen de dialtone (`dialtone serve`), en français. Chaque message est aussi dans
# ../en/serve.ftl, avec les mêmes variables (vérifié par les tests de la crate dialtone-i18n).
# Traduction du projet dialtone. Les critères du PCTF sont désignés par leur identifiant; leurs noms
# de processus et leurs textes viennent de suites/pctf/psp_pctf_v1_5_criteria_fr.csv (officiels où
# le texte anglais n'a pas changé depuis la v1.4).

service-name = dialtone — examen
nav-submissions = Soumissions
nav-readiness = État de préparation
nav-upload = Soumettre un lot
nav-admin = Fournisseurs et comptes
nav-account = Compte
signed-in-as = Connecté : { $login }
role-evaluator = évaluateur
role-vendor = fournisseur { $vendor }
logout = Se déconnecter
login = Se connecter
footer = Chaque lot est vérifié à son arrivée : sa signature et l'empreinte de chacun de ses fichiers.

submissions-title = Soumissions
submissions-public = Résultats publiés d'essais de conformité, par fournisseur, candidat et version.
submissions-evaluator = Toutes les soumissions, par fournisseur, candidat et version.
submissions-vendor = Les soumissions de { $vendor }, et ce que d'autres ont publié.
submissions-all = Toutes les soumissions
submissions-none = Aucune soumission pour l'instant.
submissions-truncated = Seules les 1 000 premières soumissions sont listées : choisissez un fournisseur ou un candidat.

col-vendor = Fournisseur
col-candidate = Candidat
col-version = Version
col-verdict = Verdict
col-received = Reçu
col-runs = Essais
col-case = Cas
col-title = Intitulé
col-level = Niveau
col-spec = Spécification
col-pctf = CCP
col-criterion = Critère
col-process = Processus
col-status = État
col-cases = Cas
col-judged = Jugés
col-program = Programme
col-jurisdiction = Administration
col-criteria = Critères du CCP
col-role = Rôle

verdict-conforms = Conforme
verdict-incomplete = Incomplet
verdict-does_not_conform = Non conforme

case-pass = réussi
case-fail = échec
case-warn = avertissement
case-info = information
case-blocked = bloqué
case-inconclusive = non concluant
case-skip = sans objet
case-error = erreur
case-other = autres

criterion-met = satisfait
criterion-not_met = non satisfait
criterion-not_tested = non testé
criterion-evidence_required = preuves requises
criterion-not_applicable = sans objet
criterion-absent = aucun résultat
criterion-text = Texte du critère

published = publié
history-link = Historique

report-by = de { $vendor }
report-received = reçu le { $when }
report-signer = Signé par
report-signer-registered = une clé de signature enregistrée pour { $vendor }
report-manifest-vendor = Fournisseur selon le manifeste
report-dialtone = dialtone
report-counts = Cas
report-counts-text = { $judged } jugés : { $passed } réussis, { $failed } en échec, { $warned } avertissements
report-view = Vue
report-view-full = lot complet, avec les preuves
report-view-public = vue publique (sans les preuves)
report-compare-previous = Comparer avec l'essai précédent
report-download-full = Télécharger le lot signé
report-download-public = Télécharger la vue publique (signée)
report-original = Le rapport de dialtone, avec les preuves
publish = Publier
unpublish = Retirer de la publication
publish-hint = Tout le monde voit la vue publique d'une soumission publiée : verdicts, clauses, critères du CCP, sans les preuves.
report-english-note = Les attentes et les constats sont en anglais, tels que les écrivent les pilotes de dialtone et les candidats.
report-results = Résultats
report-expected-observed = Attendu et observé
expected = Attendu :
observed = Observé :
blocked-by = Bloqué par :
report-unreadable = Ce rapport ne peut pas être affiché.
report-pctf = Critères du CCP
pctf-names-note = Critères du classeur d'évaluation du PSP CCP v1.5 (Profil du secteur public du Cadre de confiance pancanadien) : noms des processus et textes des critères dans la version française officielle du cahier d'évaluation v1.4, là où le texte anglais n'a pas changé en v1.5; ailleurs, la traduction du projet dialtone, marquée comme telle.
pctf-project-translation = traduction du projet

compare-title = Deux essais de { $candidate }
compare-no-earlier = Il n'y a pas d'essai antérieur de ce candidat à comparer.
compare-from-to = De { $from } à { $to }
compare-earlier = Essai antérieur
compare-later = Essai ultérieur
compare-button = Comparer
compare-newly-failing = { $count ->
    [one] { $count } cas désormais en échec
   *[other] { $count } cas désormais en échec
}
compare-newly-passing = { $count ->
    [one] { $count } cas désormais réussi
   *[other] { $count } cas désormais réussis
}
compare-new-cases = { $count ->
    [one] { $count } nouveau cas
   *[other] { $count } nouveaux cas
}
compare-changed = { $count ->
    [one] { $count } autre changement
   *[other] { $count } autres changements
}
compare-gone = { $count ->
    [one] { $count } cas qui n'est plus exécuté
   *[other] { $count } cas qui ne sont plus exécutés
}
compare-unchanged = { $count } inchangés
compare-section-newly-failing = Désormais en échec
compare-section-newly-passing = Désormais réussis
compare-section-changed = Autres changements
compare-section-new-cases = Nouveaux cas
compare-section-gone = Plus exécutés
compare-before = Avant
compare-after = Après
compare-not-run = non exécuté
compare-back = Retour à { $candidate }
compare-not-same-candidate = Ce ne sont pas deux essais du même candidat.

history-title = Historique de { $candidate }
history-chart-title = Cas de chaque essai de { $candidate }, par verdict

readiness-title = État de préparation
readiness-lead = Par administration ou programme : les critères du CCP que satisfait le dernier essai de chaque candidat.
program-every-criterion = tous les critères que les essais testent
program-new = Nouveau programme
program-criteria-hint = Identifiants de critères du PSP CCP v1.5, séparés par des espaces (aucun : tous les critères que les essais testent).
program-create = Créer le programme
program-criteria-count = { $count ->
    [one] { $count } critère
   *[other] { $count } critères
}
readiness-met = Satisfaits
readiness-met-count = { $met } sur { $total }
program-name-required = Un programme doit avoir un nom (120 caractères au plus).
program-unknown-criteria = Ne sont pas des critères du PSP CCP v1.5 :
program-exists = Un programme de ce nom existe.

upload-title = Soumettre un lot signé
upload-lead = Un lot écrit par dialtone run --sign ou dialtone check --sign (bundle.tar.gz), signé d'une clé enregistrée pour votre organisation.
upload-refused = Le lot a été refusé
upload-refused-file = Le fichier en cause :
upload-see-existing = Le voir
upload-file = Lot
upload-button = Soumettre
upload-cli-title = En ligne de commande
upload-cli-url = URL
upload-cli-hint = Le jeton se crée sur votre page Compte; dialtone submit le lit dans DIALTONE_TOKEN.
upload-choose-vendor = Choisissez le fournisseur pour lequel le lot est soumis.
upload-no-file = Choisissez un fichier de lot.
upload-duplicate = Ce lot a déjà été soumis.

login-name = Identifiant
password = Mot de passe
login-failed = Identifiant ou mot de passe erroné.

account-title = Compte
token-shown-once = Votre nouveau jeton d'API, affiché cette seule fois (dialtone submit le lit dans DIALTONE_TOKEN) :
keys-title = Clés de signature
keys-hint = Un lot n'est accepté que signé par l'une de ces clés. dialtone key public affiche la vôtre.
keys-none = Aucune clé enregistrée.
keys-pem = Clé publique (PEM)
keys-register = Enregistrer la clé
tokens-title = Jetons d'API
tokens-hint = Pour dialtone submit LOT --to URL.
tokens-none = Aucun jeton.
tokens-label = Libellé
tokens-create = Créer un jeton
password-title = Mot de passe
password-current = Mot de passe actuel
password-new = Nouveau mot de passe ({ $min } caractères au moins)
password-change = Changer le mot de passe
password-wrong = Le mot de passe actuel est erroné.
password-too-short = Le nouveau mot de passe est trop court.
password-changed = Le mot de passe est changé.
key-registered = Clé enregistrée :
key-unreadable = Ce n'est pas une clé publique Ed25519 en PEM (dialtone key public en affiche une).

admin-title = Fournisseurs et comptes
account-password-once = Le mot de passe de { $login }, affiché cette seule fois :
admin-vendors = Fournisseurs
admin-vendor-name = Nom du fournisseur
admin-vendor-create = Ajouter le fournisseur
admin-accounts = Comptes
admin-account-create = Créer le compte
vendor-name-invalid = Un fournisseur doit avoir un nom (120 caractères au plus).
vendor-exists = Un fournisseur de ce nom existe.
vendor-created = Fournisseur ajouté.
login-invalid = Un identifiant compte de 1 à 64 lettres, chiffres et . _ - @.
login-exists = Cet identifiant est pris.
account-created = Compte créé.

error-not-found = Il n'y a rien ici, ou ce n'est pas à vous de le voir.
error-csrf = Le formulaire a expiré ou ne vient pas de ce site : rechargez la page.
error-forbidden = Ce n'est pas à vous de le faire.
report-evidence-required = { $count ->
    [one] { $count } autre critère des rôles évalués porte sur les politiques ou l'exploitation, qu'aucun protocole ne montre : le candidat en fournit les preuves.
   *[other] { $count } autres critères des rôles évalués portent sur les politiques ou l'exploitation, qu'aucun protocole ne montre : le candidat en fournit les preuves.
}

# Une vérification d'artefacts stockés (`dialtone check`) : le verdict sur chaque artefact, et deux vérifications comparées.
report-artifacts = Artefacts
report-artifacts-lead = Le verdict sur chaque artefact stocké, et les règles qu'il ne respecte pas avec les clauses qu'elles vérifient.
col-artifact = Artefact
col-format = Format
col-not-met = Règles non respectées
artifact-valid = valide
artifact-acceptable = acceptable
artifact-unverified = non vérifié
artifact-invalid = invalide
artifact-error = non jugé
artifact-unsupported = forme non lue
artifact-format-unknown = non reconnu
artifact-all-met = toutes les règles respectées
report-all-rules = Tous les résultats des règles ({ $count })
report-check-counts = Résultats des règles
compare-check-title = Deux vérifications d'artefacts stockés de { $vendor }
compare-check-note = Les vérifications d'artefacts stockés sont comparées artefact par artefact, par nom de fichier (un artefact du même nom dans les deux vérifications est tenu pour le même artefact), et règle par règle.
compare-artifacts = Artefacts
compare-artifacts-newly-failing = { $count ->
    [one] { $count } artefact désormais invalide
   *[other] { $count } artefacts désormais invalides
}
compare-artifacts-newly-passing = { $count ->
    [one] { $count } artefact désormais valide
   *[other] { $count } artefacts désormais valides
}
compare-artifacts-new = { $count ->
    [one] { $count } nouvel artefact
   *[other] { $count } nouveaux artefacts
}
compare-artifacts-changed = { $count ->
    [one] { $count } autre changement
   *[other] { $count } autres changements
}
compare-artifacts-gone = { $count ->
    [one] { $count } artefact qui n'est plus vérifié
   *[other] { $count } artefacts qui ne sont plus vérifiés
}
compare-artifacts-section-newly-failing = Artefacts désormais invalides
compare-artifacts-section-newly-passing = Artefacts désormais valides
compare-artifacts-section-changed = Autres changements d'artefacts
compare-artifacts-section-new = Nouveaux artefacts
compare-artifacts-section-gone = Artefacts qui ne sont plus vérifiés
compare-rules = Résultats des règles
compare-not-checked = non vérifié
compare-not-same-kind = Une vérification d'artefacts stockés et un essai contre un candidat jugent des choses différentes : ils ne sont pas comparés.

# Durcissement : formulaires trop gros, connexions refusées après trop d'échecs.
error-too-large = Le formulaire est plus gros que ce que ce service accepte.
login-throttled = { $minutes ->
    [one] Trop de connexions échouées pour cet identifiant ou depuis cette adresse : réessayez dans { $minutes } minute.
   *[other] Trop de connexions échouées pour cet identifiant ou depuis cette adresse : réessayez dans { $minutes } minutes.
}

# Une soumission retirée (supprimée), gardée dans le journal d'audit et montrée dans l'historique de son candidat.
withdraw = Retirer cette soumission
withdraw-reason = Motif
withdraw-hint = Supprime la soumission et son lot; qui l'a retirée, quand et pourquoi restent dans l'historique de son candidat.
history-withdrawn = Soumissions retirées
col-withdrawn = Retirée le
col-withdrawn-by = Par
col-reason = Motif
