package fod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// TestScratchPinsNeverWriteThroughALink checks that placeholder hashes
// written to the scratch copy's pins stay in the copy when the user's pins
// file is a symlink, and that a pins directory linking out of the
// repository is refused rather than written through.
func TestScratchPinsNeverWriteThroughALink(t *testing.T) {
	const doc = "{\n  \"version\": \"1\",\n  \"hashes\": {\n    \"flat\": null\n  }\n}\n"
	tests := []struct {
		name    string
		setup   func(t *testing.T, repo, outside string)
		wantErr string
	}{
		{name: "regular file", setup: func(t *testing.T, repo, _ string) {
			writeTestFile(t, filepath.Join(repo, "nix/sources.json"), doc)
		}},
		{name: "absolute link out of the repo", setup: func(t *testing.T, repo, outside string) {
			writeTestFile(t, filepath.Join(outside, "sources.json"), doc)
			symlinkTest(t, filepath.Join(outside, "sources.json"), filepath.Join(repo, "nix/sources.json"))
		}},
		{name: "relative link inside the repo", setup: func(t *testing.T, repo, _ string) {
			writeTestFile(t, filepath.Join(repo, "pins/all.json"), doc)
			symlinkTest(t, "../pins/all.json", filepath.Join(repo, "nix/sources.json"))
		}},
		{name: "directory linking out of the repo", setup: func(t *testing.T, repo, outside string) {
			writeTestFile(t, filepath.Join(outside, "sources.json"), doc)
			symlinkTest(t, outside, filepath.Join(repo, "nix"))
		}, wantErr: "links out of the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := filepath.Join(t.TempDir(), "repo")
			outside := t.TempDir()
			tt.setup(t, repo, outside)
			before := snapshotTree(t, outside)
			userPins := filepath.Join(repo, "nix/sources.json")
			userBefore, err := os.ReadFile(userPins)
			if err != nil {
				t.Fatal(err)
			}

			s, err := newScratch(repo, "nix/default.nix", []string{"nix/sources.json"}, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("newScratch error = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.remove()
			p, err := pins.Parse([]byte(doc), "sources.json")
			if err != nil {
				t.Fatal(err)
			}
			p.SetHash("flat", "", pins.Placeholder("flat", ""))
			if err := s.writePins(pins.Files{"nix/sources.json": p.Marshal()}); err != nil {
				t.Fatal(err)
			}

			if userAfter, _ := os.ReadFile(userPins); string(userAfter) != string(userBefore) {
				t.Errorf("the user's pins changed:\n%s", userAfter)
			}
			if diff := snapshotTree(t, outside); len(diff) != len(before) || diff["/sources.json"] != before["/sources.json"] {
				t.Errorf("a file outside the repository changed: %v", diff)
			}
			// What the copy's Nix code reads is the placeholder.
			got, err := os.ReadFile(filepath.Join(s.repo, "nix/sources.json"))
			if err != nil || !strings.Contains(string(got), pins.Placeholder("flat", "")) {
				t.Errorf("scratch pins = %q, %v; want the placeholder", got, err)
			}
		})
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlinkTest(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestScratchInPlaceUsesTheCallersTreeAndLeavesIt: the bot's base tree,
// written out for one run, is not copied again, and what the engine
// writes there is the caller's to remove.
func TestScratchInPlaceUsesTheCallersTreeAndLeavesIt(t *testing.T) {
	const doc = "{\n  \"version\": \"1\",\n  \"hashes\": {\n    \"flat\": null\n  }\n}\n"
	repo := filepath.Join(t.TempDir(), "repo")
	writeTestFile(t, filepath.Join(repo, "nix/sources.json"), doc)
	s, err := newScratch(repo, "nix/default.nix", []string{"nix/sources.json"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.repo != repo || s.root != filepath.Dir(repo) {
		t.Errorf("scratch at %s (root %s); want the tree itself, %s", s.repo, s.root, repo)
	}
	p, err := pins.Parse([]byte(doc), "sources.json")
	if err != nil {
		t.Fatal(err)
	}
	p.SetHash("flat", "", pins.Placeholder("flat", ""))
	if err := s.writePins(pins.Files{"nix/sources.json": p.Marshal()}); err != nil {
		t.Fatal(err)
	}
	s.remove()
	got, err := os.ReadFile(filepath.Join(repo, "nix/sources.json"))
	if err != nil || !strings.Contains(string(got), pins.Placeholder("flat", "")) {
		t.Errorf("the tree holds %q, %v after remove; want it left, with the placeholder", got, err)
	}
}
