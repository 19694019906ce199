package safefile

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// replaceTree is a working tree with two files and a link to one of them,
// and a directory outside it.
func replaceTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "repo"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "nix"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, root, map[string]string{"nix/pins.json": "old pins", "package.nix": "old package"})
	if err := os.Chmod(filepath.Join(root, "package.nix"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nix/pins.json", filepath.Join(root, "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every regular file under root by slash path, and the
// names of the temporary files there.
func readTree(t *testing.T, root string) (files map[string]string, temps []string) {
	t.Helper()
	files = map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(d.Name(), TempPrefix) {
			temps = append(temps, filepath.ToSlash(rel))
			return nil
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, temps
}

func TestReplaceAllWritesEveryFileOrNone(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    map[string]string // nil: as it was
		wantErr string
	}{
		{name: "every file written", files: map[string]string{"nix/pins.json": "new pins", "package.nix": "new package", "nix/new.nix": "new"},
			want: map[string]string{"nix/pins.json": "new pins", "package.nix": "new package", "nix/new.nix": "new"}},
		{name: "a link's file written through it", files: map[string]string{"link.json": "new pins"},
			want: map[string]string{"nix/pins.json": "new pins", "package.nix": "old package"}},
		{name: "none written when one leads outside", files: map[string]string{"nix/pins.json": "new pins", "out/x": "x"},
			wantErr: "writing out/x: "},
		{name: "none written when one cannot be staged", files: map[string]string{"nix/pins.json": "new pins", "nix/no/such/dir": "x"},
			wantErr: "writing nix/no/such/dir: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, outside := replaceTree(t)
			before, _ := readTree(t, root)
			data := map[string][]byte{}
			for rel, s := range tt.files {
				data[rel] = []byte(s)
			}
			err := ReplaceAll(root, data)
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) || tt.wantErr == "" && err != nil {
				t.Fatalf("ReplaceAll = %v, want %q", err, tt.wantErr)
			}
			want := tt.want
			if want == nil {
				want = before
			}
			got, temps := readTree(t, root)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if len(temps) > 0 {
				t.Errorf("temporary files left: %v", temps)
			}
			if fi, err := os.Stat(filepath.Join(root, "package.nix")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("package.nix mode %v (%v), want 0600 kept", fi.Mode(), err)
			}
			if fi, err := os.Lstat(filepath.Join(root, "link.json")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("link.json is no longer a symbolic link (%v)", err)
			}
			if entries, _ := os.ReadDir(outside); len(entries) > 0 {
				t.Errorf("written outside the repository: %v", entries)
			}
		})
	}
}

// interrupted leaves root as a ReplaceAll of files killed after staging
// them: with its journal when journaled, and with the first renamed when
// renamed.
func interrupted(t *testing.T, root string, files map[string]string, journaled, renamed bool) {
	t.Helper()
	var journal []journalEntry
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		temp, err := stage(filepath.Join(root, rel), []byte(files[rel]))
		if err != nil {
			t.Fatal(err)
		}
		journal = append(journal, journalEntry{File: rel, Temp: filepath.Base(temp)})
	}
	if !journaled {
		return
	}
	data, _ := json.Marshal(journal)
	if err := os.WriteFile(filepath.Join(root, journalName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if renamed {
		e := journal[0]
		if err := os.Rename(filepath.Join(root, filepath.Dir(e.File), e.Temp), filepath.Join(root, e.File)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecoverFinishesOrUndoesAnInterruptedReplace(t *testing.T) {
	newFiles := map[string]string{"nix/pins.json": "new pins", "package.nix": "new package"}
	tests := []struct {
		name               string
		journaled, renamed bool
		want               map[string]string
		wantFinished       []string
	}{
		{name: "killed while staging: undone", want: map[string]string{"nix/pins.json": "old pins", "package.nix": "old package"}},
		{name: "killed after the journal: finished", journaled: true, want: newFiles,
			wantFinished: []string{"nix/pins.json", "package.nix"}},
		{name: "killed between renames: finished", journaled: true, renamed: true, want: newFiles,
			wantFinished: []string{"package.nix"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, _ := replaceTree(t)
			interrupted(t, root, newFiles, tt.journaled, tt.renamed)
			finished, err := Recover(root, "link.json", "package.nix")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantFinished, finished); diff != "" {
				t.Errorf("finished (-want +got):\n%s", diff)
			}
			got, temps := readTree(t, root)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if len(temps) > 0 {
				t.Errorf("temporary files left: %v", temps)
			}
		})
	}
}

func TestRecoverRefusesAJournalNamingAnotherFile(t *testing.T) {
	root, _ := replaceTree(t)
	interrupted(t, root, map[string]string{"nix/pins.json": "new pins", "package.nix": "new package"}, true, false)
	_, err := Recover(root, "nix/pins.json") // package.nix is not the pins'
	if err == nil || !strings.Contains(err.Error(), journalName) || !strings.Contains(err.Error(), `to "package.nix" is not one hashbot makes`) {
		t.Fatalf("Recover = %v, want an error naming the journal and package.nix", err)
	}
	if got, _ := readTree(t, root); got["nix/pins.json"] != "old pins" || got["package.nix"] != "old package" {
		t.Errorf("files renamed: %v", got)
	}
}

func TestSnapshotPutsAFileBackAsItWas(t *testing.T) {
	tests := []struct {
		name        string
		before      *string // nil: no file
		change      func(path string)
		wantChanged bool
	}{
		{name: "a changed file", before: ptr("old"), change: func(p string) { os.WriteFile(p, []byte("new"), 0o644) }, wantChanged: true},
		{name: "a removed file", before: ptr("old"), change: func(p string) { os.Remove(p) }, wantChanged: true},
		{name: "a file made", change: func(p string) { os.WriteFile(p, []byte("new"), 0o644) }, wantChanged: true},
		{name: "an unchanged file", before: ptr("old"), change: func(string) {}},
		{name: "still no file", change: func(string) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, "flake.lock")
			if tt.before != nil {
				writeFiles(t, root, map[string]string{"flake.lock": *tt.before})
			}
			restore, err := Snapshot(root, "flake.lock")
			if err != nil {
				t.Fatal(err)
			}
			tt.change(path)
			changed, err := restore()
			if err != nil || changed != tt.wantChanged {
				t.Fatalf("restore = %v, %v; want %v", changed, err, tt.wantChanged)
			}
			got, err := os.ReadFile(path)
			switch {
			case tt.before == nil && err == nil:
				t.Errorf("flake.lock is there: %q", got)
			case tt.before != nil && string(got) != *tt.before:
				t.Errorf("flake.lock is %q (%v), want %q", got, err, *tt.before)
			}
			if _, temps := readTree(t, root); len(temps) > 0 {
				t.Errorf("temporary files left: %v", temps)
			}
		})
	}
}

func ptr(s string) *string { return &s }
