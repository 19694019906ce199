package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Starter is what `hashbot init` found in a repository, to write as its
// first hashbot.toml. Without Upstream.Repo it is a repository that
// packages itself (`init --local`): no [upstream], and each FOD's
// local-inputs (and flake-inputs) as given.
type Starter struct {
	// Entry or Flake is where the Nix code starts; Pins is the pins file
	// hashbot keeps its records in.
	Entry, Flake, Pins string
	// Upstream is the project followed, with the version literal when one
	// was found.
	Upstream Upstream
	// VersionCandidates are the version literals found when there are
	// several, for a comment.
	VersionCandidates []string
	// FODs are the FODs found, in order.
	FODs []StarterFOD
	// PullRequestRepo is [pull-request] repo, when given.
	PullRequestRepo string
}

// StarterFOD is one FOD found, and where its hash is written.
type StarterFOD struct {
	FOD
	// Problem, when set, says why hashbot cannot keep its hash: it is
	// written commented out, with the reason.
	Problem string
}

// TOML renders the starter as hashbot.toml, with comments on what to check.
func (s Starter) TOML() []byte {
	var b strings.Builder
	q := strconv.Quote
	local := s.Upstream.Repo == ""
	if local {
		b.WriteString("# Written by `hashbot init --local`, for a repository that packages itself:\n")
		b.WriteString("# no [upstream]. Check each FOD's local-inputs (the files of this repository\n")
		b.WriteString("# its fetcher reads, guessed from the fetcher) and flake-inputs, so that\n")
		b.WriteString("# hashbot names it stale when they change.\n")
	} else {
		b.WriteString("# Written by `hashbot init`. Check the [upstream] repo and tag-prefix, and\n")
		b.WriteString("# give each FOD the upstream files it depends on (inputs), so that hashbot\n")
		b.WriteString("# rebuilds it when they change and not only when the version moves.\n")
	}
	if s.Flake != "" {
		fmt.Fprintf(&b, "flake = %s\n", q(s.Flake))
	} else {
		fmt.Fprintf(&b, "entry = %s\n", q(s.Entry))
	}
	fmt.Fprintf(&b, "pins = %s\n", q(s.Pins))
	if !local {
		s.writeUpstream(&b)
	}
	for _, f := range s.FODs {
		s.writeFOD(&b, f, local)
	}
	if s.PullRequestRepo != "" {
		fmt.Fprintf(&b, "\n[pull-request]\nrepo = %s\n", q(s.PullRequestRepo))
	}
	if local {
		b.WriteString("\n# [fix]\n# enabled = true  # hashbot serve fixes this repository's pull requests\n")
	}
	return []byte(b.String())
}

// writeUpstream writes the [upstream] table, with the version literal
// found or the candidates in a comment.
func (s Starter) writeUpstream(b *strings.Builder) {
	q := strconv.Quote
	fmt.Fprintf(b, "\n[upstream]\nrepo = %s\n", q(s.Upstream.Repo))
	if s.Upstream.TagPrefix != "" {
		fmt.Fprintf(b, "tag-prefix = %s\n", q(s.Upstream.TagPrefix))
	}
	if s.Upstream.VersionFile != "" {
		fmt.Fprintf(b, "version-file = %s\n", q(s.Upstream.VersionFile))
		if s.Upstream.VersionAttr != "" && s.Upstream.VersionAttr != DefaultVersionAttr {
			fmt.Fprintf(b, "version-attr = %s\n", q(s.Upstream.VersionAttr))
		}
	} else if len(s.VersionCandidates) > 0 {
		b.WriteString("# The version is one of these; name it with version-file (and version-attr):\n")
		for _, c := range s.VersionCandidates {
			fmt.Fprintf(b, "#   %s\n", commentText(c))
		}
	} else {
		b.WriteString("# No version literal was found: the version is kept in the pins.\n")
	}
}

// writeFOD writes one FOD's table (commented out when it is not kept),
// with the inputs to check: a comment of upstream inputs, or a local
// repository's local-inputs and flake-inputs.
func (s Starter) writeFOD(b *strings.Builder, f StarterFOD, local bool) {
	q := strconv.Quote
	prefix := ""
	b.WriteString("\n")
	if f.Problem != "" {
		fmt.Fprintf(b, "# Not kept: %s.\n", commentText(f.Problem))
		prefix = "# "
	}
	name := f.Name
	if !ValidName(name) { // refused by Parse, and never more than one line
		name = q(name)
	}
	fmt.Fprintf(b, "%s[fod.%s]\n%sattr = %s\n", prefix, name, prefix, q(f.Attr))
	if len(f.Systems) > 0 {
		fmt.Fprintf(b, "%ssystems = %s\n", prefix, tomlList(f.Systems))
	}
	if f.HashFile != "" {
		fmt.Fprintf(b, "%shash-file = %s\n%shash-attr = %s\n", prefix, q(f.HashFile), prefix, q(f.HashAttr))
	}
	if local {
		switch hint := LocalInputsHint(f.FOD); {
		case len(f.LocalInputs) > 0:
			fmt.Fprintf(b, "%slocal-inputs = %s\n", prefix, tomlList(f.LocalInputs))
		case hint != nil:
			fmt.Fprintf(b, "# local-inputs = %s  # not found at the root: name where they are\n", tomlList(hint))
		default:
			b.WriteString("# local-inputs = []  # the files of this repository its fetcher reads\n")
		}
		if len(f.FlakeInputs) > 0 {
			fmt.Fprintf(b, "%sflake-inputs = %s\n", prefix, tomlList(f.FlakeInputs))
		}
		return
	}
	hint := inputsHint(f.FOD)
	if hint != nil {
		fmt.Fprintf(b, "# inputs = %s\n", tomlList(hint))
	}
	if slices.Contains(hint, goModFile) {
		b.WriteString("# go-imports = \".\"  # the default with inputs: their go.mod's directory (false for none)\n")
	}
}

// tomlList is xs as a TOML array of strings.
func tomlList(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// commentText is s as it can be printed in a TOML comment: on one line,
// its control characters (a line break above all) escaped as in a Go
// string, so that no part of it is read as TOML. What init prints in a
// comment comes from the repository and from Nix.
func commentText(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// inputsHint guesses the upstream manifest and lock an FOD depends on
// from its name and attribute, for a comment to check.
func inputsHint(f FOD) []string {
	n := strings.ToLower(f.Name + " " + f.Attr)
	switch {
	case f.vendorsGo() || strings.Contains(n, "go"):
		return lockHint(goModFile)
	case strings.Contains(n, "npm") || strings.Contains(n, "web") || strings.Contains(n, "node"):
		return lockHint("package.json")
	case strings.Contains(n, "python") || strings.Contains(n, "uv"):
		return lockHint("pyproject.toml")
	case strings.Contains(n, "cargo") || strings.Contains(n, "rust"):
		return lockHint("Cargo.toml")
	}
	return nil
}
