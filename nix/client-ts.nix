# TypeScript (fetch) bindings for authentik's REST API, generated from the
# monorepo's schema.yml with openapi-generator-cli (`typescript-fetch`) and
# upstream's generator config, then compiled so the package's dist/ exists.
# The check step type-checks the sources (`tsc --noEmit`). webui.nix links the
# result as web/node_modules/@goauthentik/api.
{
  pkgs,
  src,
  version,
  meta,
}:

let
  # nixpkgs may point `typescript` at the native (Go) compiler; the generated
  # project is built with the JavaScript tsc 5.
  typescript = pkgs.typescript_5 or pkgs.typescript;
in
pkgs.stdenvNoCC.mkDerivation {
  pname = "authentik-client-ts";
  inherit version src;

  nativeBuildInputs = [
    pkgs.openapi-generator-cli
    pkgs.nodejs_24
    typescript
  ];

  # Upstream's config names its template directory under the Docker mount
  # point /local; point it at the unpacked source instead.
  postPatch = ''
    substituteInPlace scripts/api/ts-config.yaml \
      --replace-fail '/local' "$PWD"
  '';

  buildPhase = ''
    runHook preBuild

    openapi-generator-cli generate \
      --input-spec schema.yml \
      --generator-name typescript-fetch \
      --output client-ts \
      --config scripts/api/ts-config.yaml \
      --git-user-id goauthentik \
      --git-repo-id authentik \
      --additional-properties=npmVersion=${version}

    cd client-ts || exit 1
    export HOME=$TMPDIR
    npm run build

    runHook postBuild
  '';

  doCheck = true;
  checkPhase = ''
    runHook preCheck
    tsc --noEmit -p .
    runHook postCheck
  '';

  installPhase = ''
    runHook preInstall
    mkdir -p $out
    cp -r . $out/
    runHook postInstall
  '';

  meta = meta // {
    description = "TypeScript API client for authentik, generated from schema.yml";
  };
}
