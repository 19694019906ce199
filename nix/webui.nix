# The web UI: Lit/TypeScript sources bundled with esbuild (`npm run build`,
# driven by wireit) and the standalone flow executor with rollup
# (`npm run build:sfe`), offline, from the webui-deps FOD.
#
# The npm-published @goauthentik/api is replaced by the client generated from
# this release's schema.yml (client-ts). Output: $out/dist/ (bundles, CSS),
# $out/authentik/ (static images) and $out/icons/ (the brand icons, which
# the e-mail templates embed).
{
  pkgs,
  src,
  version,
  webui-deps,
  client-ts,
  meta,
}:

pkgs.stdenvNoCC.mkDerivation {
  pname = "authentik-webui";
  inherit version src;
  sourceRoot = "${src.name}/web";

  nativeBuildInputs = [ webui-deps.nodejs ];

  env = {
    NODE_ENV = "production";
    NODE_OPTIONS = "--openssl-legacy-provider";
    WIREIT_CACHE = "none";
  };

  # The version module imports ../../../../package.json with an import
  # attribute, which the bundle cannot resolve from the Nix build tree; the
  # version is known here, so write it in.
  postPatch = ''
    substituteInPlace packages/core/version/node.js \
      --replace-fail 'import PackageJSON from "../../../../package.json" with { type: "json" };' "" \
      --replace-fail '(PackageJSON.version);' '"${version}";'
  '';

  buildPhase = ''
    runHook preBuild
    export HOME=$TMPDIR

    # Every node_modules directory of the FOD, back at its path in the tree.
    (cd ${webui-deps} && find . -type d -name node_modules -prune -print) | while IFS= read -r dir; do
      mkdir -p "$dir"
      cp -rT "${webui-deps}/$dir" "$dir"
    done
    chmod -R u+w node_modules packages

    rm -rf node_modules/@goauthentik/api
    ln -s ${client-ts} node_modules/@goauthentik/api

    patchShebangs node_modules packages

    npm run build
    npm run build:sfe

    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall
    mkdir -p $out
    cp -r dist $out/dist
    cp -r authentik $out/authentik
    cp -r icons $out/icons
    runHook postInstall
  '';

  meta = meta // {
    description = "authentik's web UI";
  };
}
