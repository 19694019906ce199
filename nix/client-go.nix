# Go bindings for authentik's REST API, generated from the monorepo's
# schema.yml with openapi-generator-cli: generator `go`, package `api`, module
# goauthentik.io/api/v3 (the module the server vendors). The check step
# compiles the result (`go build ./...`). api-go-vendor-hook.nix puts it into
# the server's vendor/ directory in place of what go.mod names there: the
# published client-go up to 2026.2, server.nix's stub of the monorepo's
# packages/client-go from 2026.5.
{
  pkgs,
  src,
  version,
  meta,
}:

pkgs.stdenvNoCC.mkDerivation {
  pname = "authentik-client-go";
  version = "3.${version}";
  inherit src;

  nativeBuildInputs = [
    pkgs.openapi-generator-cli
    pkgs.go
  ];

  # Up to 2026.2 the client was goauthentik/client-go, generated with the
  # options below (gitHost/gitUserId/gitRepoId spell the module path, the
  # additional properties are that repository's). From 2026.5 the monorepo
  # holds the generator's configuration and templates in packages/client-go
  # (config.yaml, as authentik-nix's 2026.5 client-go.nix uses them), and
  # that is what the release's client is generated with.
  buildPhase = ''
    runHook preBuild

    if [ -f packages/client-go/config.yaml ]; then
      cp -r packages/client-go client-go
      (cd client-go && openapi-generator-cli generate \
        --input-spec ../schema.yml \
        --generator-name go \
        --output . \
        --config config.yaml)
      rm -rf client-go/config.yaml client-go/templates
    else
      openapi-generator-cli generate \
        --input-spec schema.yml \
        --generator-name go \
        --output client-go \
        --package-name api \
        --git-host goauthentik.io \
        --git-user-id api \
        --git-repo-id v3 \
        --additional-properties=enumClassPrefix=true,useOneOfDiscriminatorLookup=true,disallowAdditionalPropertiesIfNotPresent=false
    fi

    cd client-go || exit 1
    # Generated tests, docs, the copied spec and CI files are not part of
    # the package the server vendors.
    rm -rf test docs api .openapi-generator .openapi-generator-ignore \
      .travis.yml .gitignore git_push.sh README.md
    # The generated go.mod requires the test-only modules just removed; the
    # package itself uses the standard library only, so state just that.
    rm -f go.sum
    printf 'module goauthentik.io/api/v3\n\ngo 1.18\n' > go.mod
    gofmt -w .

    runHook postBuild
  '';

  doCheck = true;
  checkPhase = ''
    runHook preCheck

    # Offline and hermetic: an import outside the standard library fails
    # here, with the generator's output at hand, rather than in the server.
    export HOME=$TMPDIR GOCACHE=$TMPDIR/go-cache GOPATH=$TMPDIR/go
    export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
    go build ./...

    runHook postCheck
  '';

  installPhase = ''
    runHook preInstall
    mkdir -p $out
    cp -r . $out/
    runHook postInstall
  '';

  meta = meta // {
    description = "Go API client for authentik, generated from schema.yml";
  };
}
