package answer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates as readers write them. A day is read in every common form: ISO
// (2025-05-16), day first (16 May 2025, 16th of May), month first (May 16,
// 2025), numeric with slashes or dots (16/05/2025 is day first, as most of
// the world writes it; 05/16/2025 is month first, since there is no
// sixteenth month), without a year (the latest such day up to the
// question's), and a weekday ("on Friday": the latest Friday up to it).
var (
	isoDayRE     = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	numericDayRE = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b`)
	dayMonthRE   = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(` + monthNames + `)\.?(?:,?\s+(\d{4}))?\b`)
	monthDayRE   = regexp.MustCompile(`(?i)\b(` + monthNames + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?`)
	weekdayRE    = regexp.MustCompile(`(?i)\b(?:on|last|this past|past)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
)

const monthNames = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec`

// monthNamed reads a month's name or its abbreviation.
func monthNamed(s string) (time.Month, bool) {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if m, ok := monthOf[s]; ok {
		return m, true
	}
	for name, m := range monthOf {
		if len(s) >= 3 && strings.HasPrefix(name, s) {
			return m, true
		}
	}
	return 0, false
}

// QuestionDay returns the day a text names, read as of now; ok is false
// when it names none (or only an impossible one, such as 31 February).
func QuestionDay(txt string, now time.Time) (time.Time, bool) {
	now = now.UTC()
	mk := func(y int, m time.Month, d int) (time.Time, bool) {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if t.Month() != m || t.Day() != d || y < 1900 {
			return time.Time{}, false
		}
		return t, true
	}
	// A day without a year is the latest one on or before now.
	latest := func(m time.Month, d int) (time.Time, bool) {
		t, ok := mk(now.Year(), m, d)
		if ok && t.After(now) {
			t, ok = mk(now.Year()-1, m, d)
		}
		return t, ok
	}
	if m := isoDayRE.FindStringSubmatch(txt); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return mk(y, time.Month(mo), d)
	}
	if m := numericDayRE.FindStringSubmatch(txt); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if y < 100 {
			y += 2000
		}
		d, mo := a, b // day first, as most of the world writes dates
		if b > 12 && a <= 12 {
			d, mo = b, a
		}
		return mk(y, time.Month(mo), d)
	}
	if m := dayMonthRE.FindStringSubmatch(txt); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, ok := monthNamed(m[2])
		if ok && m[3] != "" {
			y, _ := strconv.Atoi(m[3])
			return mk(y, mo, d)
		}
		if ok {
			return latest(mo, d)
		}
	}
	if m := monthDayRE.FindStringSubmatch(txt); m != nil {
		mo, ok := monthNamed(m[1])
		d, _ := strconv.Atoi(m[2])
		if ok && d >= 1 && d <= 31 {
			if m[3] != "" {
				y, _ := strconv.Atoi(m[3])
				return mk(y, mo, d)
			}
			return latest(mo, d)
		}
	}
	if m := weekdayRE.FindStringSubmatch(txt); m != nil {
		want := weekdayOf[strings.ToLower(m[1])]
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		for day.Weekday() != want {
			day = day.AddDate(0, 0, -1)
		}
		return day, true
	}
	return time.Time{}, false
}

var weekdayOf = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// monthSpan reads the span of months a question names: "between March and
// July", "from the April tariffs to the July deal", "in June 2025". The
// year is the one named, else the latest that puts the span's start on or
// before now. ok is false when the text names no month.
func monthSpan(txt string, now time.Time) (since, until time.Time, ok bool) {
	var months []time.Month
	for _, m := range monthWordRE.FindAllString(txt, -1) {
		if m[0] < 'A' || m[0] > 'Z' {
			continue // "may" the verb
		}
		if mo, ok := monthNamed(m); ok {
			months = append(months, mo)
		}
	}
	if len(months) == 0 {
		return time.Time{}, time.Time{}, false
	}
	first, last := months[0], months[len(months)-1]
	year := now.Year()
	if y := yearRE.FindString(txt); y != "" {
		year, _ = strconv.Atoi(y)
	} else if time.Date(year, first, 1, 0, 0, 0, 0, time.UTC).After(now) {
		year--
	}
	since = time.Date(year, first, 1, 0, 0, 0, 0, time.UTC)
	lastYear := year
	if last < first {
		lastYear++ // "from November to February"
	}
	until = time.Date(lastYear, last+1, 1, 0, 0, 0, 0, time.UTC)
	return since, until, true
}

var (
	// monthWordRE: full month names only (an abbreviation like "mar" is
	// too often another word), and May capitalised (not the verb).
	monthWordRE = regexp.MustCompile(`\b(?:[Jj]anuary|[Ff]ebruary|[Mm]arch|[Aa]pril|May|[Jj]une|[Jj]uly|[Aa]ugust|[Ss]eptember|[Oo]ctober|[Nn]ovember|[Dd]ecember)\b`)
)
