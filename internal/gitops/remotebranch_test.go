package gitops

import (
	"testing"
)

func TestFetchBranch(t *testing.T) {
	f := newFixture(t)
	r, err := Open(t.Context(), f.work, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const branch = "hashbot/authentik-2026.2.2"
	got, err := r.FetchBranch(t.Context(), branch)
	if err != nil || got != nil {
		t.Fatalf("FetchBranch of a missing branch = %+v, %v; want nil, nil", got, err)
	}
	tip := f.pushFromOther(t, branch, pinsPath, newPins)
	got, err = r.FetchBranch(t.Context(), branch)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash.String() != tip || got.AuthorEmail != "author@example.com" {
		t.Errorf("tip = %s by %s; want %s by author@example.com", got.Hash, got.AuthorEmail, tip)
	}
	if len(got.Parents) != 1 || got.Parents[0].String() != f.remoteRev(t, "main") {
		t.Errorf("parents = %v; want main's tip", got.Parents)
	}
	content, err := got.File(pinsPath)
	if err != nil || string(content) != newPins {
		t.Errorf("File(%s) = %q, %v", pinsPath, content, err)
	}
	if _, err := got.File("missing.json"); err == nil {
		t.Error("File of a missing path succeeded")
	}
	if _, err := r.FetchBranch(t.Context(), "bad..name"); err == nil {
		t.Error("FetchBranch accepted a bad branch name")
	}
}
