# The upstream source tree at the pinned version. A real repo fetches it
# (fetchFromGitHub); this example writes it from ../upstream so that it
# needs no network, and stamps the version in so a bump changes the hash.
{ fod, version }:
fod {
  name = "example-app-src";
  pin = "src";
  env = {
    inherit version;
    goMod = builtins.readFile ../upstream/go.mod;
    goSum = builtins.readFile ../upstream/go.sum;
    mainGo = builtins.readFile ../upstream/main.go;
    packageJson = builtins.readFile ../upstream/web/package.json;
    packageLock = builtins.readFile ../upstream/web/package-lock.json;
  };
  script = ''
    mkdir -p $out/web
    printf '%s\n' "$version" > $out/VERSION
    printf '%s' "$goMod" > $out/go.mod
    printf '%s' "$goSum" > $out/go.sum
    printf '%s' "$mainGo" > $out/main.go
    printf '%s' "$packageJson" > $out/web/package.json
    printf '%s' "$packageLock" > $out/web/package-lock.json
  '';
}
