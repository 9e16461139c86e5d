use clap::{Args, Parser, Subcommand};
use dialtone_cli::sign::KeyChoice;
use dialtone_cli::{CliError, SuiteSource, bench, catalogue, exit, run, say, selftest, shown};
use dialtone_engine::pctf::Catalogue;
use dialtone_rules::deadline::DEFAULT_DEADLINE;
use std::path::PathBuf;

/// dialtone — interoperability conformance for digital credentials (OpenID4VCI, SD-JWT VC, …).
#[derive(Parser)]
#[command(name = "dialtone", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of the reports (report.html, the terminal report) and of dialtone's messages: en or
    /// fr (default: DIALTONE_LANG, else French when LC_ALL, LC_MESSAGES or LANG names it, else en).
    #[arg(long, global = true, value_name = "en|fr")]
    lang: Option<String>,
}

#[derive(Args, Clone)]
struct SuiteArgs {
    /// Folder of suite files (default: ./suites when present, else the suites built into dialtone).
    #[arg(long)]
    suites: Option<PathBuf>,
}

/// `--sign [KEY]`: seal the reports in a signed bundle.
#[derive(Args, Clone)]
struct SignArgs {
    /// Seal the reports in a signed bundle (OUT/bundle.tar.gz): `--sign` alone signs with your own
    /// key (made on first use in your configuration folder), `--sign=KEY` with that PKCS#8 PEM key.
    #[arg(long, value_name = "KEY", num_args = 0..=1)]
    sign: Option<Option<PathBuf>>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance plan against a candidate (default: the built-in reference candidates).
    Run {
        /// Candidate manifest (TOML). Without it, dialtone starts its reference issuer, wallet, verifier,
        /// registry and VC-API service on loopback and tests them.
        #[arg(long)]
        candidate: Option<PathBuf>,
        /// Folder for report.json, report.html and junit.xml.
        #[arg(long, default_value = "reports/out")]
        out: PathBuf,
        /// Makes keys, salts and nonces reproducible.
        #[arg(long)]
        seed: Option<u64>,
        /// Only cases whose id starts with this (repeatable).
        #[arg(long)]
        only: Vec<String>,
        /// Show passing cases in the terminal table too.
        #[arg(long)]
        all: bool,
        /// Known failures (TOML: [[expected]] case, reason): reported apart, ignored by the exit
        /// code; entries that now pass are flagged.
        #[arg(long)]
        expectations: Option<PathBuf>,
        #[command(flatten)]
        suites: SuiteArgs,
        #[command(flatten)]
        sign: SignArgs,
        /// Run slice i of n of the plan (cases i, i+n, i+2n, … in plan order) and write OUT/shard.json
        /// for `dialtone merge`.
        #[arg(long, value_name = "i/n", value_parser = parse_shard)]
        shard: Option<dialtone_cli::shard::Shard>,
    },
    /// Join the shards of a run (`run --shard i/n`) into one report, as one run writes it, or those
    /// of an interop matrix (`interop --shard i/n`) into the matrix one `interop` writes.
    Merge {
        /// The shards' output folders (or their shard.json files), every shard once.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        #[arg(long, default_value = "reports/out")]
        out: PathBuf,
        /// Show passing cases in the terminal table too.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        suites: SuiteArgs,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Check a signed bundle: the signature, and the digest of every file it holds.
    Verify {
        /// The bundle (a .tar.gz, or the folder it was unpacked to).
        bundle: PathBuf,
        /// The signer's public key (PEM) you trust; default: your own key, when you have one.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Write the public view of a bundle that verifies: verdicts, clauses, PCTF criteria, without
    /// the evidence; the same signature verifies it.
    Publish {
        bundle: PathBuf,
        /// Where to write it (default: beside the bundle, NAME.public.tar.gz).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The signer's public key (PEM) you trust; default: your own key, when you have one.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// The review service: vendors submit signed bundles, verified on arrival; evaluators compare
    /// runs and track readiness (SQLite in your data folder, or --database postgres://…).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Data folder (default: $XDG_DATA_HOME/dialtone, else ~/.local/share/dialtone).
        #[arg(long)]
        data: Option<PathBuf>,
        /// A PostgreSQL URL (postgres://user@host/db) instead of SQLite (or DIALTONE_DATABASE).
        #[arg(long)]
        database: Option<String>,
        /// Mark cookies Secure: the service is reached over https (behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// Take the client's address from the last X-Forwarded-For entry (failed sign-ins are
        /// counted per address): only behind a proxy that sets it.
        #[arg(long)]
        forwarded_for: bool,
    },
    /// Send a signed bundle to a review service, which verifies it on arrival (token: DIALTONE_TOKEN).
    Submit {
        /// The bundle (a .tar.gz, or the folder it was unpacked to).
        bundle: PathBuf,
        /// The review service's URL.
        #[arg(long)]
        to: String,
        /// A file holding the API token (default: DIALTONE_TOKEN).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// A CA certificate (PEM) to trust for an https service with a private certificate.
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
    /// Signing keys for bundles.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Run the reference and every mutant; print the mutant × case matrix.
    Selftest {
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, default_value = "reports/out/selftest")]
        out: PathBuf,
        /// Mutant runs in flight at once.
        #[arg(long, default_value_t = selftest::PARALLEL)]
        parallel: usize,
        /// Run each mutant on every case that reads what it changes (not only on the cases that name
        /// it): the whole mutant × case matrix.
        #[arg(long, conflicts_with = "full")]
        matrix: bool,
        /// Run every mutant on every case that reaches its reference (not only on the cases that
        /// read what it changes), and report any case that selection would leave out.
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        suites: SuiteArgs,
    },
    /// Judge stored artifacts (SD-JWT VC, W3C VC with JOSE/COSE/SD-JWT, SMART Health Cards, ISO mdoc).
    Check {
        /// Artifact files; consecutive chunked shc:/ QR files form one card.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// auto, sd-jwt-vc, vc-jose, vc-cose, vc-sd-jwt, shc or mdoc.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Public keys: a JWK Set, a JWK, a verification method, an x5c array or PEM certificates
        /// (repeatable; the last PEM certificate is trusted as a root).
        #[arg(long)]
        keys: Vec<PathBuf>,
        /// Trust list: which issuer identifier owns which keys ({"issuers": [{"id", "jwks"|"keys", "roots_pem"}]}).
        #[arg(long)]
        trust: Option<PathBuf>,
        /// A SMART Health Card issuer's revocation list for one of its keys (its
        /// /.well-known/crl/<kid>.json; repeatable).
        #[arg(long)]
        crl: Vec<PathBuf>,
        /// Fetch the issuer's keys from its well-known URL (SHC jwks.json and, for a key with a
        /// crlVersion, its revocation list; SD-JWT VC jwt-vc-issuer).
        #[arg(long)]
        fetch_keys: bool,
        /// Extra TLS roots (PEM) for --fetch-keys, beside the public web PKI (a test environment).
        #[arg(long)]
        tls_ca: Option<PathBuf>,
        /// The verification time: RFC 3339 or epoch seconds (default: now).
        #[arg(long)]
        now: Option<String>,
        /// The nonce a key binding JWT must carry.
        #[arg(long)]
        nonce: Option<String>,
        /// The audience a key binding JWT must carry.
        #[arg(long)]
        aud: Option<String>,
        /// Folder of credential profiles (default: suites/profiles, built in).
        #[arg(long)]
        profiles: Option<PathBuf>,
        #[arg(long, default_value = "reports/out/check")]
        out: PathBuf,
        /// Show passing rules in the terminal table too.
        #[arg(long)]
        all: bool,
        /// Wall-clock time one artifact may take to judge, in milliseconds; past it the artifact
        /// is reported not judged (error).
        #[arg(long, default_value_t = DEFAULT_DEADLINE.as_millis() as u64, value_parser = clap::value_parser!(u64).range(1..))]
        deadline_ms: u64,
        /// Also read files that are not regular files (devices, FIFOs, `<(…)`), at most 4 MiB each
        /// and within the deadline; refused otherwise.
        #[arg(long)]
        allow_special_files: bool,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Run every issuer → wallet → verifier chain the candidates allow; write the matrix (HTML, JSON).
    Interop {
        /// Candidate manifests, comma-separated; `reference` adds dialtone's reference candidates,
        /// `reference:MUTANT` a set of them with that mutant (`dialtone mutants`).
        #[arg(long, value_delimiter = ',', required = true)]
        candidates: Vec<String>,
        #[arg(long, default_value = "reports/out/interop")]
        out: PathBuf,
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        suites: SuiteArgs,
        #[command(flatten)]
        sign: SignArgs,
        /// Run slice i of n of the matrix's chains (i, i+n, i+2n, … in matrix order) and write
        /// OUT/shard.json and their reports for `dialtone merge`.
        #[arg(long, value_name = "i/n", value_parser = parse_shard)]
        shard: Option<dialtone_cli::shard::Shard>,
    },
    /// What a verifier under test must trust before a run (the harness's counterparts).
    Counterparts {
        #[command(subcommand)]
        action: CounterpartsAction,
    },
    /// Make (or reuse) a persistent test CA in DIR and print its certificate's path: a candidate
    /// started before a run trusts DIR/ca.pem; runs with DIALTONE_TEST_CA_DIR=DIR serve under it.
    TestCa { dir: PathBuf },
    /// Generate the test vectors under vectors/ (deterministic), or check them.
    Vectors {
        #[command(subcommand)]
        action: VectorsAction,
    },
    /// Validate or list the suites.
    Suites {
        #[command(subcommand)]
        action: SuitesAction,
    },
    /// Start a reference candidate on loopback and serve until interrupted.
    Reference {
        #[command(subcommand)]
        role: ReferenceRole,
    },
    /// List the mutants of the reference candidates.
    Mutants,
    /// `check`'s QR image decoder, run as a child process bounded in memory and CPU time: reads a
    /// PNG on standard input, writes the QR texts (JSON) on standard output.
    #[command(name = dialtone_cli::qr_child::SUBCOMMAND, hide = true)]
    DecodeQrImage {
        #[arg(long)]
        cpu_seconds: u64,
        #[arg(long)]
        memory_bytes: u64,
    },
    /// Measure the full plan against the references (use a release build).
    Bench {
        /// Measure `dialtone check` per credential format instead: files per second with the reports
        /// written, beside the signature floor measured in the same run (run under `taskset -c 0`).
        #[arg(long)]
        formats: bool,
        /// `--formats`: artifacts per format.
        #[arg(long, default_value_t = 2000)]
        files: usize,
        /// `--formats`: keep the corpus (and its reports) in this folder, e.g. to check it with other tools.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// `--formats`: checks per format, each between two measurements of its floor; the round of
        /// median ratio is reported (the machine's speed can change between the floor and the check).
        #[arg(long, default_value_t = dialtone_cli::bench_formats::ROUNDS)]
        rounds: usize,
        /// Time an interop matrix of N × N × N simulated candidates (N unseeded sets of the
        /// references) instead.
        #[arg(long, value_name = "N")]
        interop: Option<usize>,
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        suites: SuiteArgs,
    },
}

#[derive(Subcommand)]
enum KeyAction {
    /// Print the public half of a signing key (default: your own, made if need be) for evaluators.
    Public { key: Option<PathBuf> },
    /// Make a new signing key (PKCS#8 PEM, readable by you only); an existing file is kept.
    New { file: PathBuf },
}

fn parse_shard(text: &str) -> Result<dialtone_cli::shard::Shard, String> {
    dialtone_cli::shard::Shard::parse(text)
}

#[derive(Subcommand)]
enum CounterpartsAction {
    /// Write the trust anchor (PEM), the counterpart issuers (identifier, JWKS, certificate), the
    /// trust registry (URL, authority, whom it authorizes) and a README.txt into DIR.
    Export {
        dir: PathBuf,
        /// The verifier's manifest; its [counterparts] section fixes their ports.
        #[arg(long)]
        candidate: PathBuf,
        /// The seed the run will be given (or use a persistent test authority: DIALTONE_TEST_CA_DIR).
        #[arg(long)]
        seed: Option<u64>,
    },
}

#[derive(Subcommand)]
enum VectorsAction {
    /// Write vectors/<format>.json from dialtone's seeded keys.
    Generate {
        #[arg(long, default_value = "vectors")]
        out: PathBuf,
    },
    /// Judge every vector in a folder and report those whose verdict differs.
    Check {
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum SuitesAction {
    /// Validate every suite file; exit 2 with file:line messages on any problem.
    Check(SuiteArgs),
    /// Print the cases: id, role, level, title.
    List(SuiteArgs),
}

#[derive(Subcommand)]
enum ReferenceRole {
    /// The reference trust registry (TRQP v2 over HTTPS), answering from an ecosystem file.
    Registry {
        #[arg(long, default_value_t = 8400)]
        port: u16,
        /// Ecosystem file (default: suites/ecosystems/pan-canadian-example.toml, built in).
        #[arg(long)]
        ecosystem: Option<PathBuf>,
        /// The identifier that replaces `{reference_issuer}` in the ecosystem file.
        #[arg(long, default_value = "https://127.0.0.1:8300")]
        reference_issuer: String,
        /// Start a mutant instead (see `dialtone mutants`).
        #[arg(long)]
        mutant: Option<String>,
        #[arg(long, default_value = "reports/out/reference-ca.pem")]
        ca_out: PathBuf,
        #[arg(long)]
        http: bool,
    },
    /// The reference OpenID4VP verifier: configure it from `dialtone counterparts export DIR` with
    /// --counterparts DIR, then run candidates/reference-verifier.toml against it.
    Verifier {
        #[arg(long, default_value_t = 8500)]
        port: u16,
        /// Start a mutant instead (see `dialtone mutants`).
        #[arg(long)]
        mutant: Option<String>,
        #[arg(long)]
        seed: Option<u64>,
        /// A folder `dialtone counterparts export` wrote: trust its anchor, ask its trust registry.
        #[arg(long)]
        counterparts: Option<PathBuf>,
        /// The trust registry to ask (default: the folder's, else https://127.0.0.1:8400).
        #[arg(long)]
        registry: Option<String>,
        /// The governing authority to ask it about (default: the folder's, else the example ecosystem's).
        #[arg(long)]
        authority_id: Option<String>,
        /// More trust anchors (PEM), for https and for issuers' x5c chains (repeatable).
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Where to write the CA certificate (PEM) that a harness must trust for this server.
        #[arg(long, default_value = "reports/out/reference-ca.pem")]
        ca_out: PathBuf,
    },
    /// The reference wallet (OpenID4VCI and OpenID4VP holder, with dialtone's control API): run
    /// candidates/reference-wallet.toml against it with the same --seed (or DIALTONE_TEST_CA_DIR).
    Wallet {
        #[arg(long, default_value_t = 8600)]
        port: u16,
        /// Start a mutant instead (see `dialtone mutants`).
        #[arg(long)]
        mutant: Option<String>,
        #[arg(long)]
        seed: Option<u64>,
        /// More trust anchors (PEM), for https and for verifiers' request-signing chains (repeatable).
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Where to write the CA certificate (PEM) that a harness must trust for this server.
        #[arg(long, default_value = "reports/out/reference-ca.pem")]
        ca_out: PathBuf,
    },
    /// The reference OpenID4VCI issuer (SD-JWT VC).
    Issuer {
        #[arg(long, default_value_t = 8300)]
        port: u16,
        /// Start a mutant instead (see `dialtone mutants`).
        #[arg(long)]
        mutant: Option<String>,
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the CA certificate (PEM) that a harness must trust for this server.
        #[arg(long, default_value = "reports/out/reference-ca.pem")]
        ca_out: PathBuf,
        /// Serve plain http instead of https (the manifest then needs `allow_http = true`).
        #[arg(long)]
        http: bool,
    },
}

/// mimalloc, which the QR decoder's child caps (`dialtone_cli::allocator`).
#[global_allocator]
static ALLOCATOR: dialtone_cli::allocator::Allocator = dialtone_cli::allocator::Allocator;

fn main() {
    let cli = Cli::parse();
    // Before any runtime or thread: the child's bounds cover only its own decoding.
    if let Command::DecodeQrImage { cpu_seconds, memory_bytes } = cli.command {
        std::process::exit(dialtone_cli::qr_child::serve(cpu_seconds, memory_bytes));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dialtone: cannot start the async runtime: {e}");
            std::process::exit(exit::HARNESS);
        }
    };
    let code = match runtime.block_on(dispatch(cli.command, cli.lang)) {
        Ok(code) => code,
        Err(CliError { code, message }) => {
            eprintln!("dialtone: {}", dialtone_reports::terminal::sanitize_lines(&message));
            code
        }
    };
    std::process::exit(code);
}

async fn dispatch(command: Command, lang: Option<String>) -> Result<i32, CliError> {
    // Resolved by the commands that write reports or messages for people, so that a language
    // dialtone does not speak stops only those.
    let lang = || dialtone_cli::words::resolve(lang.as_deref());
    match command {
        Command::Run { candidate, out, seed, only, all, expectations, suites, sign, shard } => {
            run::command(run::RunArgs {
                candidate,
                out,
                seed,
                suites: SuiteSource::resolve(suites.suites),
                only,
                all_rows: all,
                expectations,
                sign: KeyChoice::from_flag(sign.sign),
                shard,
                lang: lang()?,
            })
            .await
        }
        Command::Merge { shards, out, all, suites, sign } => {
            dialtone_cli::shard::command(dialtone_cli::shard::MergeArgs {
                shards,
                out,
                suites: SuiteSource::resolve(suites.suites),
                sign: KeyChoice::from_flag(sign.sign),
                all_rows: all,
                lang: lang()?,
            })
            .await
        }
        Command::Verify { bundle, key } => dialtone_cli::verify::verify_command(&bundle, key.as_deref(), lang()?),
        Command::Publish { bundle, out, key } => dialtone_cli::verify::publish_command(&bundle, out, key.as_deref()),
        Command::Serve { listen, data, database, secure_cookies, forwarded_for } => {
            dialtone_cli::serve::serve_command(dialtone_cli::serve::ServeArgs {
                listen,
                data,
                database,
                secure_cookies,
                forwarded_for,
            })
            .await
        }
        Command::Submit { bundle, to, token_file, ca_file } => {
            dialtone_cli::serve::submit_command(&bundle, &to, token_file.as_deref(), ca_file.as_deref()).await
        }
        Command::Key { action: KeyAction::Public { key } } => dialtone_cli::verify::key_public(key),
        Command::Key { action: KeyAction::New { file } } => dialtone_cli::verify::key_new(&file),
        Command::Selftest { seed, out, parallel, matrix, full, suites } => {
            let scope = match (matrix, full) {
                (_, true) => selftest::Scope::Full,
                (true, false) => selftest::Scope::Selected,
                (false, false) => selftest::Scope::Declared,
            };
            selftest::command(SuiteSource::resolve(suites.suites), seed, out, parallel, scope, lang()?).await
        }
        Command::Check {
            files,
            format,
            keys,
            trust,
            crl,
            fetch_keys,
            tls_ca,
            now,
            nonce,
            aud,
            profiles,
            out,
            all,
            deadline_ms,
            allow_special_files,
            sign,
        } => {
            dialtone_cli::check::command(dialtone_cli::check::CheckArgs {
                files,
                format: dialtone_cli::check::parse_format(&format)?,
                keys,
                trust,
                crl,
                fetch_keys,
                tls_ca,
                now,
                nonce,
                aud,
                profiles,
                out,
                all_rows: all,
                deadline: std::time::Duration::from_millis(deadline_ms),
                allow_special_files,
                sign: KeyChoice::from_flag(sign.sign),
                lang: lang()?,
            })
            .await
        }
        Command::Interop { candidates, out, seed, suites, sign, shard } => {
            dialtone_cli::interop::command(dialtone_cli::interop::InteropArgs {
                candidates,
                out,
                seed,
                suites: SuiteSource::resolve(suites.suites),
                shard,
                sign: KeyChoice::from_flag(sign.sign),
                lang: lang()?,
            })
            .await
        }
        Command::Counterparts { action: CounterpartsAction::Export { dir, candidate, seed } } => {
            dialtone_cli::counterparts::export(&dir, &candidate, seed)
        }
        Command::TestCa { dir } => {
            dialtone_roles::tls::TestPki::persistent(&dir).map_err(CliError::config)?;
            say!("{}", shown(dir.join("ca.pem").display()));
            Ok(exit::OK)
        }
        Command::Vectors { action: VectorsAction::Generate { out } } => {
            std::fs::create_dir_all(&out)
                .map_err(|e| CliError::config(format!("cannot create {}: {e}", out.display())))?;
            for f in dialtone_vectors::generate() {
                let path = out.join(dialtone_vectors::file_name(&f));
                std::fs::write(&path, dialtone_vectors::to_json(&f))
                    .map_err(|e| CliError::config(format!("cannot write {}: {e}", path.display())))?;
                say!("wrote {} ({} tests)", shown(path.display()), f.number_of_tests);
            }
            Ok(exit::OK)
        }
        Command::Vectors { action: VectorsAction::Check { dir } } => vectors_check(&dir),
        Command::Suites { action } => suites_command(action),
        Command::Reference { role: ReferenceRole::Issuer { port, mutant, seed, ca_out, http } } => {
            let fault = match mutant {
                None => None,
                Some(name) => Some(dialtone_roles::issuer::IssuerFault::from_name(&name).ok_or_else(|| {
                    CliError::config(format!("unknown mutant {name:?}; `dialtone mutants` lists them"))
                })?),
            };
            let tls = serve_tls(http, &ca_out, seed)?;
            let server = dialtone_roles::issuer::start(
                dialtone_roles::issuer::IssuerConfig {
                    fault,
                    seed,
                    // The wallet provider of a run with the same --seed (or of every unseeded run).
                    attesters: vec![
                        dialtone_drivers::counterparts::Setup { seed, ports: None }.wallet_provider().public_jwk(),
                    ],
                    ..Default::default()
                },
                port,
                tls,
            )
            .await
            .map_err(|e| CliError::config(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
            let what = fault.map(|f| format!(" (mutant {})", f.name())).unwrap_or_default();
            say!("reference issuer{what} listening at {}", server.base_url);
            say!("  metadata:    {}/.well-known/openid-credential-issuer", server.base_url);
            say!("  control API: {}/control/offers (POST)", server.base_url);
            serve_until_interrupted(server, http, &ca_out).await
        }
        Command::Reference {
            role: ReferenceRole::Registry { port, ecosystem, reference_issuer, mutant, ca_out, http },
        } => {
            use dialtone_roles::registry::{self, Ecosystem, RegistryConfig, RegistryFault};
            let fault = match mutant {
                None => None,
                Some(name) => Some(RegistryFault::from_name(&name).ok_or_else(|| {
                    CliError::config(format!("unknown registry mutant {name:?}; `dialtone mutants` lists them"))
                })?),
            };
            let text = match &ecosystem {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?,
                None => registry::ecosystem::EXAMPLE.to_string(),
            };
            let ecosystem = Ecosystem::parse(&text, &reference_issuer).map_err(CliError::config)?;
            let tls = serve_tls(http, &ca_out, None)?;
            let server = registry::start(RegistryConfig { fault, ecosystem, seams: None }, port, tls)
                .await
                .map_err(|e| CliError::config(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
            say!("reference registry listening at {} (POST /authorization, POST /recognition)", server.base_url);
            serve_until_interrupted(server, http, &ca_out).await
        }
        Command::Reference {
            role: ReferenceRole::Verifier { port, mutant, seed, counterparts, registry, authority_id, trust, ca_out },
        } => {
            use dialtone_roles::verifier::VerifierFault;
            let fault = match mutant {
                None => None,
                Some(name) => Some(VerifierFault::from_name(&name).ok_or_else(|| {
                    CliError::config(format!("unknown verifier mutant {name:?}; `dialtone mutants` lists them"))
                })?),
            };
            serve_tls(false, &ca_out, seed)?;
            let trust = dialtone_cli::reference::VerifierTrust { counterparts, registry, authority_id, anchors: trust };
            let (server, about) = dialtone_cli::reference::standalone_verifier(port, fault, seed, &trust)
                .await
                .map_err(CliError::config)?;
            let what = fault.map(|f| format!(" (mutant {})", f.name())).unwrap_or_default();
            say!("reference verifier{what} listening at {}", server.base_url);
            say!("  control API: {}/control/requests (POST)", server.base_url);
            say!("  {about}");
            serve_until_interrupted(server, false, &ca_out).await
        }
        Command::Reference { role: ReferenceRole::Wallet { port, mutant, seed, trust, ca_out } } => {
            use dialtone_roles::wallet::WalletFault;
            let fault = match mutant {
                None => None,
                Some(name) => Some(WalletFault::from_name(&name).ok_or_else(|| {
                    CliError::config(format!("unknown wallet mutant {name:?}; `dialtone mutants` lists them"))
                })?),
            };
            serve_tls(false, &ca_out, seed)?;
            let server = dialtone_cli::reference::standalone_wallet(port, fault, seed, &trust)
                .await
                .map_err(CliError::config)?;
            let what = fault.map(|f| format!(" (mutant {})", f.name())).unwrap_or_default();
            say!("reference wallet{what} listening at {}", server.base_url);
            say!("  control API: {}/control/offers, /control/presentations (POST)", server.base_url);
            serve_until_interrupted(server, false, &ca_out).await
        }
        Command::Mutants => {
            for m in dialtone_roles::mutant::catalog() {
                say!("{:<46} {}", m.name, m.description);
            }
            Ok(exit::OK)
        }
        Command::DecodeQrImage { cpu_seconds, memory_bytes } => {
            Ok(dialtone_cli::qr_child::serve(cpu_seconds, memory_bytes))
        }
        Command::Bench { formats: true, files, corpus, rounds, .. } => {
            dialtone_cli::bench_formats::command(files.max(1), corpus, rounds.max(1))
        }
        Command::Bench { interop: Some(n), suites, .. } => {
            dialtone_cli::interop_bench::command(SuiteSource::resolve(suites.suites), n).await
        }
        Command::Bench { iterations, seed, suites, .. } => {
            bench::command(SuiteSource::resolve(suites.suites), iterations, seed).await
        }
    }
}

/// Tells which CA to trust, then serves until Ctrl-C.
async fn serve_until_interrupted(
    server: dialtone_roles::server::RunningServer,
    http: bool,
    ca_out: &std::path::Path,
) -> Result<i32, CliError> {
    if !http {
        say!("  trust this CA for it: {}", shown(ca_out.display()));
    }
    say!("press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    server.stop().await;
    Ok(exit::OK)
}

/// The TLS configuration for a standalone reference server, writing the CA a harness must trust.
fn serve_tls(
    http: bool,
    ca_out: &std::path::Path,
    seed: Option<u64>,
) -> Result<Option<std::sync::Arc<rustls::ServerConfig>>, CliError> {
    if http {
        return Ok(None);
    }
    let pki = dialtone_cli::reference::run_pki(seed).map_err(CliError::harness)?;
    if let Some(dir) = ca_out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::config(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(ca_out, &pki.ca_pem)
        .map_err(|e| CliError::config(format!("cannot write {}: {e}", ca_out.display())))?;
    Ok(Some(pki.server_config.clone()))
}

fn vectors_check(dir: &std::path::Path) -> Result<i32, CliError> {
    let mut bad = 0;
    let mut total = 0;
    let entries =
        std::fs::read_dir(dir).map_err(|e| CliError::config(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?;
        let file: dialtone_vectors::VectorFile =
            serde_json::from_str(&text).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?;
        let mismatches = dialtone_vectors::run(&file).map_err(CliError::config)?;
        total += file.number_of_tests;
        bad += mismatches.len();
        say!("{}: {} tests, {} mismatches", shown(path.display()), file.number_of_tests, mismatches.len());
        for m in mismatches {
            say!("  tc{} {}: expected {:?}, got {:?}", m.tc_id, shown(&m.comment), m.expected, m.got);
        }
    }
    say!("{total} vectors, {bad} mismatches");
    Ok(if bad == 0 { exit::OK } else { exit::FAILED })
}

fn suites_command(action: SuitesAction) -> Result<i32, CliError> {
    let catalogue = Catalogue::embedded();
    match action {
        SuitesAction::Check(args) => {
            let source = SuiteSource::resolve(args.suites);
            let suites = catalogue::load(&source, &catalogue)?;
            let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
            say!("{} suites, {cases} cases: OK ({})", suites.len(), shown(format!("{source:?}")));
            Ok(exit::OK)
        }
        SuitesAction::List(args) => {
            let suites = catalogue::load(&SuiteSource::resolve(args.suites), &catalogue)?;
            for case in suites.iter().flat_map(|s| s.cases.iter()) {
                say!("{:<20} {:<9} {:<7} {}", shown(&case.id), case.role, case.level.as_str(), shown(&case.title));
            }
            Ok(exit::OK)
        }
    }
}
