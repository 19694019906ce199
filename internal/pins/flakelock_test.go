package pins

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

const (
	lockRev1 = "5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
	lockRev2 = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233"
	lockRev3 = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)

// testLock is a flake.lock of two GitHub inputs, pkgs (followed on
// tools/pkgs's main) and other, as nested maps to poison.
type testLock map[string]any

func newTestLock() testLock {
	gh := func(repo, rev, hash string) map[string]any {
		return map[string]any{"type": "github", "owner": "tools", "repo": repo, "rev": rev, "narHash": hash, "lastModified": 1700000000}
	}
	return testLock{"root": "root", "version": 7, "nodes": map[string]any{
		"pkgs":  map[string]any{"locked": gh("pkgs", lockRev1, realSrc), "original": map[string]any{"type": "github", "owner": "tools", "repo": "pkgs", "ref": "main"}},
		"other": map[string]any{"locked": gh("other", lockRev1, realSrc), "original": map[string]any{"type": "github", "owner": "tools", "repo": "other"}},
		"root":  map[string]any{"inputs": map[string]any{"pkgs": "pkgs", "other": "other"}},
	}}
}

func (l testLock) node(name string) map[string]any {
	return l["nodes"].(map[string]any)[name].(map[string]any)
}

func (l testLock) locked(name string) map[string]any { return l.node(name)["locked"].(map[string]any) }

func (l testLock) json(t testing.TB) []byte {
	t.Helper()
	data, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// moved is the lock with pkgs moved to lockRev2, as Nix writes it, then
// changed by poison.
func moved(poison func(l testLock)) testLock {
	l := newTestLock()
	maps.Copy(l.locked("pkgs"), map[string]any{"rev": lockRev2, "narHash": realVendor, "lastModified": 1700000100})
	if poison != nil {
		poison(l)
	}
	return l
}

func TestGuardFlakeLockMovesOnlyTheInputsOwnNodeToTheCheckedCommit(t *testing.T) {
	old := newTestLock().json(t)
	checked := map[string]string{"pkgs": lockRev2}
	shared := newTestLock() // other brings pkgs' node as its own input
	shared.node("other")["inputs"] = map[string]any{"pkgs": "pkgs"}
	twice := newTestLock() // the root's other input is pkgs' node too
	twice.node("root")["inputs"] = map[string]any{"pkgs": "pkgs", "other": "pkgs"}
	tests := []struct {
		name string
		old  []byte // newTestLock's when nil
		next []byte
		revs map[string]string
		node string // the node the refusal names; "" and want "" for a change taken
		want string
	}{
		{name: "the input moved to the commit checked", next: moved(nil).json(t), revs: checked},
		{name: "nothing moved", next: old, revs: checked},
		{name: "the lock reformatted", next: []byte(strings.ReplaceAll(string(old), ",", ",\n  ")), revs: checked},
		{name: "locked in another repository, with that content's hash", revs: checked, node: "pkgs", want: "its locked owner changed",
			next: moved(func(l testLock) { l.locked("pkgs")["owner"] = "evil" }).json(t)},
		{name: "locked and original in another repository", revs: checked, node: "pkgs", want: "its original changed",
			next: moved(func(l testLock) {
				l.locked("pkgs")["owner"] = "evil"
				l.node("pkgs")["original"].(map[string]any)["owner"] = "evil"
			}).json(t)},
		{name: "locked in a subdirectory", revs: checked, node: "pkgs", want: "its locked dir changed",
			next: moved(func(l testLock) { l.locked("pkgs")["dir"] = "evil" }).json(t)},
		{name: "the moved node claims its sibling's node and redirects it", revs: checked, node: "other", want: "changed, and it is not the node of an input that moves (pkgs)",
			next: moved(func(l testLock) {
				l.node("pkgs")["inputs"] = map[string]any{"other": "other"}
				maps.Copy(l.locked("other"), map[string]any{"owner": "evil", "rev": lockRev3, "narHash": realVendor})
			}).json(t)},
		{name: "the moved node claims its sibling's node", revs: checked, node: "pkgs", want: "its inputs changed",
			next: moved(func(l testLock) { l.node("pkgs")["inputs"] = map[string]any{"other": "other"} }).json(t)},
		{name: "the moved node brings a node of its own", revs: checked, node: "evil", want: "added",
			next: moved(func(l testLock) {
				l.node("pkgs")["inputs"] = map[string]any{"evil": "evil"}
				l["nodes"].(map[string]any)["evil"] = map[string]any{"locked": l.locked("other")}
			}).json(t)},
		{name: "the sibling moved too", revs: checked, node: "other", want: "changed",
			next: moved(func(l testLock) { l.locked("other")["rev"] = lockRev2 }).json(t)},
		{name: "locked at another commit than the check gave", revs: checked, node: "pkgs", want: "locked at \"" + lockRev3 + "\", but the check of the branch it follows gave " + lockRev2,
			next: moved(func(l testLock) { l.locked("pkgs")["rev"] = lockRev3 }).json(t)},
		{name: "no check named a commit", revs: nil, node: "pkgs", want: "changed, and no input moves",
			next: moved(nil).json(t)},
		{name: "a fake hash", revs: checked, node: "pkgs", want: "locked.narHash",
			next: moved(func(l testLock) { l.locked("pkgs")["narHash"] = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }).json(t)},
		{name: "the moved node is also another node's input", old: shared.json(t), revs: checked, node: "pkgs", want: `also the input pkgs of node "other"`,
			next: moved(func(l testLock) { l.node("other")["inputs"] = map[string]any{"pkgs": "pkgs"} }).json(t)},
		{name: "the moved node is also the root's other input", old: twice.json(t), revs: checked, node: "pkgs", want: `also the input other of node "root"`,
			next: moved(func(l testLock) { l.node("root")["inputs"] = map[string]any{"pkgs": "pkgs", "other": "pkgs"} }).json(t)},
		{name: "the root repointed", revs: checked, node: "root", want: "the root's inputs changed",
			next: moved(func(l testLock) { l.node("root")["inputs"] = map[string]any{"pkgs": "other", "other": "other"} }).json(t)},
		{name: "another version", revs: checked, want: "the lock's root or version changed",
			next: moved(func(l testLock) { l["version"] = 8 }).json(t)},
		{name: "a duplicate key Nix may read instead", revs: checked, want: "duplicate key",
			next: []byte(strings.Replace(string(moved(nil).json(t)), `"owner":"tools","repo":"pkgs","rev"`, `"owner":"tools","owner":"evil","repo":"pkgs","rev"`, 1))},
		{name: "not a lock", revs: checked, want: "the new lock is not a flake.lock", next: []byte(`<html>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := old
			if tt.old != nil {
				before = tt.old
			}
			err := GuardFlakeLock("flake.lock", before, tt.next, tt.revs)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var le *LockError
			if !errors.As(err, &le) || !errors.Is(err, ErrGuard) {
				t.Fatalf("err = %v, want a *LockError", err)
			}
			if le.Node != tt.node || !strings.Contains(le.Reason, tt.want) {
				t.Fatalf("err = %v, want node %q and a reason saying %q", err, tt.node, tt.want)
			}
		})
	}
}

func TestStoredGuardMovesTheLockOnlyToTheCommitsExpected(t *testing.T) {
	files := Files{"pins.json": []byte(`{"version": "1.0.0"}`), "flake.lock": newTestLock().json(t)}
	s, err := Layout{JSON: "pins.json", FlakeLock: "flake.lock", LockedInputs: []string{"pkgs"}}.Load(func(p string) ([]byte, error) { return files[p], nil }, "")
	if err != nil {
		t.Fatal(err)
	}
	next := Files{"pins.json": files["pins.json"], "flake.lock": moved(nil).json(t)}
	if err := s.Guard(next); err == nil {
		t.Fatal("a lock moved without a checked commit was taken")
	}
	if err := s.ExpectLocked(map[string]string{"pkgs": lockRev3}).Guard(next); err == nil {
		t.Fatal("a lock moved to another commit than the checked one was taken")
	}
	if err := s.ExpectLocked(map[string]string{"pkgs": lockRev2, "other": lockRev3}).Guard(next); err != nil {
		t.Fatalf("the checked move was refused: %v", err)
	}
}

func TestLockedRefIsTheSameBytesForTheSameLock(t *testing.T) {
	a, err := ParseFlakeLock(newTestLock().json(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseFlakeLock([]byte(strings.ReplaceAll(string(newTestLock().json(t)), ",", ", ")))
	if err != nil {
		t.Fatal(err)
	}
	ra, errA := a.LockedRef("pkgs")
	rb, errB := b.LockedRef("pkgs")
	if errA != nil || errB != nil || string(ra) != string(rb) {
		t.Fatalf("LockedRef = %s, %v and %s, %v", ra, errA, rb, errB)
	}
	var ie *InputError
	if _, err := a.LockedRef("nope"); !errors.As(err, &ie) {
		t.Fatalf("LockedRef(nope) = %v, want an *InputError", err)
	}
}

// FuzzGuardFlakeLock mutates the new lock of a move: whatever the guard
// takes moves at most pkgs, in its own repository, to the checked commit
// with a real narHash, and leaves every other node and edge as it was.
func FuzzGuardFlakeLock(f *testing.F) {
	old := newTestLock().json(f)
	f.Add(moved(nil).json(f))
	f.Add(old)
	f.Add(moved(func(l testLock) { l.locked("pkgs")["owner"] = "evil" }).json(f))
	f.Add(moved(func(l testLock) {
		l.node("pkgs")["inputs"] = map[string]any{"other": "other"}
		l.locked("other")["owner"] = "evil"
	}).json(f))
	revs := map[string]string{"pkgs": lockRev2}
	f.Fuzz(func(t *testing.T, next []byte) {
		if GuardFlakeLock("flake.lock", old, next, revs) != nil {
			return
		}
		var o, n struct {
			Nodes map[string]map[string]any `json:"nodes"`
		}
		if json.Unmarshal(old, &o) != nil || json.Unmarshal(next, &n) != nil {
			t.Fatalf("taken, but not a lock: %q", next)
		}
		if len(n.Nodes) != len(o.Nodes) {
			t.Fatalf("taken with nodes %v, want %v", maps.Keys(n.Nodes), maps.Keys(o.Nodes))
		}
		for name, was := range o.Nodes {
			now := n.Nodes[name]
			if name != "pkgs" {
				if !reflect.DeepEqual(was, now) {
					t.Fatalf("taken with node %s changed: %v -> %v", name, was, now)
				}
				continue
			}
			if !reflect.DeepEqual(was["original"], now["original"]) || !reflect.DeepEqual(was["inputs"], now["inputs"]) {
				t.Fatalf("taken with pkgs' original or inputs changed: %v", now)
			}
			locked, _ := now["locked"].(map[string]any)
			if locked["type"] != "github" || !strings.EqualFold(locked["owner"].(string), "tools") || !strings.EqualFold(locked["repo"].(string), "pkgs") {
				t.Fatalf("taken with pkgs locked in another repository: %v", locked)
			}
			if reflect.DeepEqual(was, now) {
				continue
			}
			hash, _ := locked["narHash"].(string)
			if locked["rev"] != lockRev2 || CheckHash("narHash", hash) != nil {
				t.Fatalf("taken with pkgs moved to %v (%v)", locked["rev"], hash)
			}
		}
	})
}
