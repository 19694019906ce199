# Fixed-output derivation: authentik's third-party Python dependencies,
# installed from PyPI by `uv sync --frozen` (uv.lock) into a venv for
# python314. authentik 2026.2 requires Python 3.14, and PyPI already has
# cp314 wheels where nixpkgs' python314 package set does not build.
#
# A FOD may use the network because its output hash is declared up front
# (hashes.python-deps.<system> in nix/sources.json: one per system, since the
# wheels are per platform), but its output must not refer to the store. So:
#   - the .so files built from sdists (lxml and xmlsec are no-binary upstream;
#     psycopg-c and gssapi are sdist-only) have their RPATHs and every other
#     /nix/store path removed with remove-references-to; the paths are found
#     by grepping the output, not listed by hand (a static list missed six);
#   - bin/ (entry-point shebangs), pyvenv.cfg (python path, uv version) and
#     .pyc files (build paths, timestamps) are deleted.
# authentik-django.nix recreates bin/ and pyvenv.cfg and re-links the .so
# files with autoPatchelfHook.
#
# The output must be the same on every machine and every month, or the
# pinned hash fails for the next user. What could still move it, and why it
# does not:
#   - the runtime files: uv.lock pins each wheel and sdist by hash;
#   - the build tools of the sdists compiled here (setuptools, Cython, …),
#     which uv.lock does not pin: uv resolves them no newer than the lock's
#     newest upload-time (UV_EXCLUDE_NEWER, from uv-exclude-newer.py);
#   - the compiler, the libraries, uv and Python: nixpkgs, pinned in the
#     root flake.lock (a move makes this FOD stale: a local input);
#   - GCC's random seed, which nixpkgs derives from $out, and $out differs
#     between the build with an empty hash and the one with the real hash:
#     a fixed -frandom-seed;
#   - build directories and timestamps: no debug info is compiled (-g0: it
#     names uv's random build directory, and the build ID hashes it) and
#     what is left is stripped, .pyc files and the venv's bin/ and
#     pyvenv.cfg are deleted (and bin/'s lines in each RECORD: the scripts'
#     shebangs name the build directory), NAR has no mtimes;
#   - files two wheels both install (pyrad's and django-tenants'
#     docs/Makefile): whichever landed, it is removed;
#   - the platform: one hash per system.
{
  pkgs,
  src,
  version,
  hash,
  meta,
}:

let
  inherit (pkgs) lib;
  python = pkgs.python314;
  authentikLib = import ./lib.nix;
  # The seed every compile in this FOD uses (see above).
  randomSeed = "authentik-python-deps";
in
pkgs.stdenv.mkDerivation (
  {
    pname = "authentik-python-deps";
    inherit version src;

    nativeBuildInputs = [
      python
      pkgs.uv
      pkgs.git # uv.lock has one git source (opencontainers)
      pkgs.cacert
      pkgs.pkg-config
      pkgs.removeReferencesTo
      pkgs.postgresql.pg_config # psycopg-c: pg_config is its own derivation
      pkgs.krb5 # gssapi: krb5-config
    ];

    # Libraries the sdist builds compile and link against.
    buildInputs = [
      pkgs.libxml2 # lxml, xmlsec
      pkgs.libxslt # lxml
      pkgs.xmlsec
      pkgs.libtool # xmlsec links -lltdl (libltdl)
      pkgs.openssl
      pkgs.libpq # psycopg-c
      pkgs.krb5 # gssapi
      pkgs.libffi
      pkgs.zlib
    ];

    impureEnvVars = lib.fetchers.proxyImpureEnvVars;

    env = {
      UV_PYTHON = "${python}/bin/python3.14";
      UV_PYTHON_DOWNLOADS = "never";
      UV_LINK_MODE = "copy";
      UV_NO_PROGRESS = "1";
      SSL_CERT_FILE = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";
      GIT_SSL_CAINFO = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";
      # gssapi's generated C calls gss_acquire_cred_impersonate_name without
      # including the header that declares it.
      NIX_CFLAGS_COMPILE = "-include gssapi/gssapi_ext.h";
    };

    dontConfigure = true;

    buildPhase = ''
      runHook preBuild
      export HOME=$TMPDIR UV_CACHE_DIR=$TMPDIR/uv-cache
      UV_EXCLUDE_NEWER=$(${python}/bin/python3.14 ${./uv-exclude-newer.py} uv.lock)
      export UV_EXCLUDE_NEWER
      echo "python-deps: sdist build tools no newer than $UV_EXCLUDE_NEWER"
      # After stdenv's setup hooks, whose $out-based seed this overrides
      # (GCC takes the last -frandom-seed). -g0: the debug info of an sdist's
      # extension names uv's build directory (random, under
      # builds-v0/.tmpXXXXXX), and the linker's build ID is a hash over the
      # whole file, debug info included, so strip --strip-debug below left
      # a different .note.gnu.build-id (and so a different RECORD) in each
      # build; seen with a Python whose sysconfig CFLAGS has -g (Debian's).
      export NIX_CFLAGS_COMPILE="''${NIX_CFLAGS_COMPILE-} -frandom-seed=${randomSeed} -g0"
      uv sync --frozen --no-install-project --no-install-workspace --no-dev
      runHook postBuild
    '';

    installPhase = ''
      runHook preInstall

      mv .venv $out
      rm -rf "''${out:?}/bin" $out/pyvenv.cfg $out/.gitignore $out/.lock $out/CACHEDIR.TAG
      find $out -type d -name __pycache__ -prune -exec rm -rf {} +
      find $out -type f -name '*.pyc' -delete
      # A package with console scripts lists them in its RECORD with their
      # hashes, and their shebangs name the venv's python under the build
      # directory: another hash in each build where that directory is not
      # fixed (no sandbox). bin/ is gone; so go its lines.
      find $out -path '*.dist-info/RECORD' -exec sed -i '\#^\.\./\.\./\.\./bin/#d' {} +
      # A file more than one wheel installs (pyrad 2.5.4's and
      # django-tenants 3.10's top-level docs/Makefile): which one is left
      # changed from build to build (uv installs in parallel; one install
      # thread did not fix it), so neither is kept.
      sp=$out/lib/python3.14/site-packages
      (cd "$sp" && cut -d, -f1 ./*.dist-info/RECORD | sort | uniq -d) | while IFS= read -r f; do
        case $f in ../*) continue ;; esac
        echo "python-deps: $f is installed by more than one wheel; removed"
        rm -f "$sp/$f"
      done

      # Debug info of the sdist-built extensions names uv's random build
      # directory; without it the output is the same from run to run.
      find $out -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-debug {} +

      # Every store path still named anywhere in the output, found by
      # looking, overwritten; one left is an error.
      bash ${./strip-store-refs.sh} ${builtins.storeDir} $out

      runHook postInstall
    '';

    # Nothing to patch or strip further: authentik-django.nix does the fixup.
    dontFixup = true;

    meta = meta // {
      description = "Python dependencies of authentik ${version} from uv.lock (fixed-output)";
    };
  }
  // authentikLib.fixedOutput hash
)
