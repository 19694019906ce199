package gitops

import (
	"fmt"
	"strings"
)

// Author is the name and email the bot commits as.
type Author struct {
	Name  string
	Email string
}

// String returns the author as "Name <email>".
func (a Author) String() string { return a.Name + " <" + a.Email + ">" }

// ParseAuthor parses "Name <email>" (the [git] author setting, whose
// default is config's).
func ParseAuthor(s string) (Author, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '<')
	if open < 0 || !strings.HasSuffix(s, ">") {
		return Author{}, fmt.Errorf("git author %q: want \"Name <email>\"", s)
	}
	a := Author{
		Name:  strings.TrimSpace(s[:open]),
		Email: strings.TrimSpace(s[open+1 : len(s)-1]),
	}
	switch {
	case a.Name == "":
		return Author{}, fmt.Errorf("git author %q: the name is empty", s)
	case a.Email == "":
		return Author{}, fmt.Errorf("git author %q: the email is empty", s)
	case strings.ContainsAny(a.Name, "<>\n\r\x00") || strings.ContainsAny(a.Email, "<>\n\r\x00 "):
		return Author{}, fmt.Errorf("git author %q: stray '<', '>', space or control character", s)
	}
	return a, nil
}

// CommitMessage returns the bot's commit message: the subject
// "<name>: <old> -> <new>" (nixpkgs' convention), or "<name>: update FOD
// hashes" when the version did not move, then a blank line and body (the list
// of changed hashes) when body is not empty. Control characters in the
// subject's parts (untrusted versions) become spaces.
func CommitMessage(name, oldVersion, newVersion, body string) string {
	name, oldVersion, newVersion = oneLine(name), oneLine(oldVersion), oneLine(newVersion)
	subject := name + ": update FOD hashes"
	if oldVersion != newVersion && newVersion != "" {
		subject = fmt.Sprintf("%s: %s -> %s", name, oldVersion, newVersion)
		if oldVersion == "" {
			subject = fmt.Sprintf("%s: init at %s", name, newVersion)
		}
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return subject + "\n"
	}
	return subject + "\n\n" + body + "\n"
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
