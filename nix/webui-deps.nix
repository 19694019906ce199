# Fixed-output derivation: the web UI's npm dependencies, `npm ci` from
# web/package-lock.json with nodejs_24 (authentik needs node >= 24 and
# npm >= 11.6.2).
#
# `--ignore-scripts`: no upstream install script runs in a derivation that
# has network access. The hash is per system (hashes.webui-deps.<system> in
# nix/sources.json) because npm installs only the optional native packages of
# the build platform (esbuild, rollup). web/ is an npm workspace, and each
# package under web/packages/ may have its own node_modules, so every
# node_modules directory is collected, at its path in the tree. What differs
# from run to run is dropped: node_modules/.package-lock.json (npm's
# install record) and tool caches.
{
  pkgs,
  src,
  version,
  hash,
  meta,
}:

let
  inherit (pkgs) lib;
  nodejs = pkgs.nodejs_24;
  authentikLib = import ./lib.nix;
in
pkgs.stdenvNoCC.mkDerivation (
  {
    pname = "authentik-webui-deps";
    inherit version src;
    sourceRoot = "${src.name}/web";

    nativeBuildInputs = [
      nodejs
      pkgs.cacert
    ];

    impureEnvVars = lib.fetchers.proxyImpureEnvVars;

    env = {
      SSL_CERT_FILE = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";
      npm_config_update_notifier = "false";
      npm_config_fund = "false";
      npm_config_audit = "false";
    };

    dontConfigure = true;

    buildPhase = ''
      runHook preBuild

      npmVersion=$(npm --version)
      if ! printf '%s\n' 11.6.2 "$npmVersion" | sort --check=quiet --version-sort; then
        echo "webui-deps: npm $npmVersion is too old; authentik needs npm >= 11.6.2" >&2
        exit 1
      fi

      export HOME=$TMPDIR
      npm ci --ignore-scripts --cache $TMPDIR/npm-cache

      runHook postBuild
    '';

    installPhase = ''
      runHook preInstall

      find . -path '*/node_modules/.package-lock.json' -delete
      find . -type d -path '*/node_modules/.cache' -prune -exec rm -rf {} +

      mkdir -p $out
      find . -type d -name node_modules -prune -print | while IFS= read -r dir; do
        mkdir -p "$out/$dir"
        cp -rT "$dir" "$out/$dir"
      done

      runHook postInstall
    '';

    # No shebang patching (it would add store references) and no broken
    # symlink check: workspace links point at web/packages/, not copied here.
    dontFixup = true;

    passthru = { inherit nodejs; };

    meta = meta // {
      description = "npm dependencies of the authentik ${version} web UI (fixed-output)";
    };
  }
  // authentikLib.fixedOutput hash
)
