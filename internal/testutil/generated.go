package testutil

import (
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"
)

// YarnNix returns a yarn.nix as yarn2nix generates it, with n fetchurl
// entries (about 265 bytes each: 1,000 make 265 KB, 4,000 about 1 MiB),
// each with its own name, URL and sha512: the kind of generated file a
// repository's `hashbot init` meets.
func YarnNix(n int) []byte {
	var b strings.Builder
	b.WriteString("{ fetchurl, fetchgit, linkFarm, runCommand, gnutar }: rec {\n")
	b.WriteString("  offline_cache = linkFarm \"offline\" packages;\n")
	b.WriteString("  packages = [\n")
	for i := range n {
		name := fmt.Sprintf("_babel_pkg_%d___pkg_%d_7.%d.0.tgz", i, i, i%50)
		sum := sha512.Sum512([]byte(name))
		fmt.Fprintf(&b, `    {
      name = "%s";
      path = fetchurl {
        name = "%s";
        url  = "https://registry.yarnpkg.com/@babel/pkg-%d/-/pkg-%d-7.%d.0.tgz";
        sha512 = "%s";
      };
    }
`, name, name, i, i, i%50, base64.StdEncoding.EncodeToString(sum[:]))
	}
	b.WriteString("  ];\n}\n")
	return []byte(b.String())
}
