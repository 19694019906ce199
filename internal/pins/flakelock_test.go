package pins

import (
	"strings"
	"testing"
)

func TestGuardFlakeLockMovesOnlyTheNamedInputs(t *testing.T) {
	const (
		rev1 = "5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
		rev2 = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233"
	)
	lock := func(pkgs, other string, extra ...string) string {
		nodes := `"pkgs": ` + pkgs + `, "other": ` + other
		for _, e := range extra {
			nodes += ", " + e
		}
		return `{"nodes": {` + nodes + `, "root": {"inputs": {"pkgs": "pkgs", "other": "other"}}}, "root": "root", "version": 7}`
	}
	node := func(rev, hash string, inputs string) string {
		return `{"inputs": {` + inputs + `}, "locked": {"type": "github", "owner": "o", "repo": "pkgs", "rev": "` + rev + `", "narHash": "` + hash + `"}}`
	}
	otherNode := node(rev1, realSrc, "")
	old := lock(node(rev1, realSrc, ""), otherNode)
	tests := []struct {
		name, next, want string // want: "" for a change the guard takes
	}{
		{"the input moved", lock(node(rev2, realVendor, ""), otherNode), ""},
		{"the input brings a node of its own", lock(node(rev2, realVendor, `"systems": "systems"`), otherNode, `"systems": `+node(rev1, realSrc, "")), ""},
		{"the lock reformatted, nothing moved", strings.ReplaceAll(old, " ", ""), ""},
		{"another input moved", lock(node(rev2, realVendor, ""), node(rev2, realVendor, "")), "node other changed, and it is none of the inputs moved"},
		{"a fake hash", lock(node(rev2, "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ""), otherNode), "narHash"},
		{"no commit", lock(node("main", realVendor, ""), otherNode), "the input pkgs is not locked at a commit"},
		{"the root repointed", strings.Replace(lock(node(rev2, realVendor, ""), otherNode), `"pkgs": "pkgs", "other"`, `"pkgs": "other", "other"`, 1), "the root's inputs changed"},
		{"another version", strings.Replace(old, `"version": 7`, `"version": 8`, 1), "the lock's root or version changed"},
		{"not a lock", `<html>`, "the new lock is not a flake.lock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := GuardFlakeLock("flake.lock", []byte(old), []byte(tt.next), []string{"pkgs"})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
