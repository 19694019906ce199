// Package nix_test checks the authentik Nix code in this directory without
// nixpkgs: every file parses, the pure pin logic in lib.nix evaluates as
// intended, default.nix exposes every attribute hashbot.toml names and feeds
// each FOD the hash from its own key in sources.json, and hashbot.toml,
// sources.json and the Nix code agree with each other.
package nix_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot is the repository root, found from this file's location so the
// tests work from any working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// nixInstantiate runs nix-instantiate in the repository root and returns its
// stdout, or its stderr as the error text.
func nixInstantiate(t testing.TB, args ...string) (stdout string, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "nix-instantiate", args...)
	cmd.Dir = repoRoot(t)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// evalJSON evaluates expr strictly and decodes its JSON value into v. Extra
// args (e.g. --argstr) are passed through.
func evalJSON(t testing.TB, expr string, v any, args ...string) {
	t.Helper()
	out, stderr, err := nixInstantiate(t, append([]string{"--eval", "--strict", "--json", "-E", expr}, args...)...)
	if err != nil {
		t.Fatalf("evaluating %s: %v\n%s", expr, err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decoding the value of %s: %v (output %q)", expr, err, out)
	}
}

// evalError evaluates expr, expects it to fail and returns Nix's message.
func evalError(t testing.TB, expr string, args ...string) string {
	t.Helper()
	out, stderr, err := nixInstantiate(t, append([]string{"--eval", "--strict", "--json", "-E", expr}, args...)...)
	if err == nil {
		t.Fatalf("evaluating %s succeeded with %s, want an error", expr, out)
	}
	return stderr
}

// writeJSON writes v as JSON to a new file in a temporary directory.
func writeJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sources.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// stubPkgs stands in for nixpkgs: every attribute the Nix files use, with
// builders that keep their arguments, so that a test can read the hash a FOD
// declares or force every string of a derivation without building anything.
// A derivation here is an attribute set with a made-up store path that ends
// in its name, so a test can tell what a string or list refers to.
// buildGoModule models what nixpkgs' does with its arguments: the vendor FOD
// (goModules) inherits nativeBuildInputs, src, postPatch and env, and
// overrideModAttrs is applied to it last; vendorHash becomes its outputHash.
//
// The builders refuse what nixpkgs' refuse: an argument a function with
// fixed arguments does not take (fetchFromGitHub, makeSetupHook,
// lib.fileset.toSource), fetchFromGitHub with both or neither of rev and
// tag, an env value that is not a string, bool, integer or derivation or
// that is also a top-level attribute (stdenv's mkDerivation), a
// buildGoModule without vendorHash or with the removed vendorSha256, and a
// derivation without name or pname and version.
const stubPkgs = `{ system }:
let
  drv = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  } // extra;
  isDrv = v: builtins.isAttrs v && (v.type or "") == "derivation";
  checkEnv = args:
    let
      env = args.env or { };
      bad = builtins.filter (n: !(builtins.isString env.${n} || builtins.isBool env.${n} || builtins.isInt env.${n} || isDrv env.${n})) (builtins.attrNames env);
      both = builtins.filter (n: args ? ${n}) (builtins.attrNames env);
    in
    if bad != [ ] then throw "mkDerivation: env.${builtins.head bad} must be a derivation, string, boolean or integer"
    else if both != [ ] then throw "mkDerivation: env.${builtins.head both} is also passed to the derivation; the env attribute set cannot contain attributes passed to derivation"
    else args;
  nameOf = args:
    if args ? name then args.name
    else if args ? pname && args ? version then "${args.pname}-${args.version}"
    else throw "mkDerivation: name, or pname and version, are required";
  mkDerivation = args0:
    let args = checkEnv args0; in
    args // (args.passthru or { }) // drv (nameOf args) { };
  stdenv = {
    inherit mkDerivation;
    hostPlatform.system = system;
    cc = drv "gcc-wrapper" { cc = drv "gcc" { lib = drv "gcc-lib" { }; }; };
  };
  go = drv "go" { version = "1.26.0"; };
  cacert = drv "nss-cacert" { };
  pythonPackages = {
    build = drv "python3.14-build" { };
    installer = drv "python3.14-installer" { };
    hatchling = drv "python3.14-hatchling" { };
  };
in
{
  inherit stdenv go cacert;
  stdenvNoCC = stdenv;
  lib = {
    fetchers.proxyImpureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
    makeBinPath = ps: builtins.concatStringsSep ":" (map (p: "${p}/bin") ps);
    licenses.mit = { spdxId = "MIT"; shortName = "mit"; free = true; };
    fileset = {
      toSource = { root, fileset }: drv "source" { inherit root fileset; };
      fileFilter = pred: root: { inherit pred root; };
    };
  };
  fetchFromGitHub = { owner, repo, rev ? null, tag ? null, hash, name ? "source" }@args:
    if (rev == null) == (tag == null) then throw "fetchFromGitHub requires one of either rev or tag to be provided (not both)"
    else args // drv name { outputHash = hash; };
  buildGoModule = args:
    let
      modArgs = {
        name = "${args.pname}-${args.version}-go-modules";
        nativeBuildInputs = (args.nativeBuildInputs or [ ]) ++ [ go (drv "git" { }) cacert ];
        inherit (args) src;
        postPatch = args.postPatch or "";
        env = args.env or { };
        outputHashMode = "recursive";
        outputHash = args.vendorHash;
      };
      goModules = mkDerivation (modArgs // (args.overrideModAttrs or (_: { })) modArgs);
    in
    if args ? vendorSha256 then throw "buildGoModule: Expect vendorHash instead of vendorSha256"
    else if !(args ? vendorHash) then throw "buildGoModule: vendorHash is missing"
    else mkDerivation (builtins.removeAttrs args [ "overrideModAttrs" "vendorHash" ] // {
      nativeBuildInputs = [ go ] ++ (args.nativeBuildInputs or [ ]);
      passthru = (args.passthru or { }) // { inherit goModules; inherit (args) vendorHash; };
    });
  makeSetupHook = { name, propagatedBuildInputs ? [ ], depsTargetTargetPropagated ? [ ], meta ? { }, passthru ? { }, substitutions ? { } }:
    script: drv name { inherit script; };
  writeShellScript = name: text:
    if builtins.isString name && builtins.isString text then drv name { inherit text; }
    else throw "writeShellScript: name and text must be strings";
  linkFarm = name: entries:
    if builtins.isList entries && builtins.all (e: builtins.attrNames e == [ "name" "path" ]) entries then drv name { inherit entries; }
    else throw "linkFarm: entries must be a list of { name, path }";
  python314 = drv "python3-3.14.0" {
    sitePackages = "lib/python3.14/site-packages";
    version = "3.14.0";
    withPackages = f: drv "python3-3.14.0-env" { packages = f pythonPackages; };
  };
  postgresql = drv "postgresql-17.0" { pg_config = drv "postgresql-17.0-pg-config" { }; };
  krb5 = drv "krb5-1.21" { lib = drv "krb5-1.21-lib" { }; };
  libtool = drv "libtool-2.5" { lib = drv "libtool-2.5-lib" { }; };
  uv = drv "uv" { };
  git = drv "git" { };
  pkg-config = drv "pkg-config" { };
  removeReferencesTo = drv "remove-references-to" { };
  libxml2 = drv "libxml2" { };
  libxslt = drv "libxslt" { };
  xmlsec = drv "xmlsec" { };
  openssl = drv "openssl" { };
  libpq = drv "libpq" { };
  libffi = drv "libffi" { };
  zlib = drv "zlib" { };
  autoPatchelfHook = drv "auto-patchelf-hook" { };
  bash = drv "bash" { };
  makeWrapper = drv "make-wrapper-hook" { };
  openapi-generator-cli = drv "openapi-generator-cli" { };
  nodejs_24 = drv "nodejs-24" { };
  typescript_5 = drv "typescript-5.9.3" { };
  cargo = drv "cargo-1.95.0" { };
  rustc = drv "rustc-1.95.0" { };
  cmake = drv "cmake" { };
  perl = drv "perl" { };
  gcc13 = drv "gcc-wrapper-13" { };
}
`

// writeStub writes stubPkgs to a temporary file and returns its path.
func writeStub(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stub-pkgs.nix")
	if err := os.WriteFile(path, []byte(stubPkgs), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// nixList renders strings as a Nix list of string literals.
func nixList(xs []string) string {
	quoted := make([]string, len(xs))
	for i, x := range xs {
		b, _ := json.Marshal(x) // a JSON string is a valid Nix string here
		quoted[i] = string(b)
	}
	return "[ " + strings.Join(quoted, " ") + " ]"
}
