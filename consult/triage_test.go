package consult

import (
	"slices"
	"testing"
	"time"
)

func TestCheckFindsEverySign(t *testing.T) {
	tests := []struct {
		text string
		sign string
	}{
		// The three messages of the issue.
		{"赤ちゃんがけいれんしています", "けいれん・ひきつけ"},
		{"赤ちゃんの息が苦しそうです", "息が苦しそう"},
		{"もう消えてしまいたい", "死にたい・消えたい"},

		{"ぐったりしています", "ぐったり"},
		{"グッタリして動かない", "ぐったり"},
		{"くったりしてる😢", "ぐったり"}, // ゛ missed
		{"息がくるしそう", "息が苦しそう"},
		{"いきが 苦しそう です", "息が苦しそう"},
		{"呼吸がおかしいです", "息が苦しそう"},
		{"ゼーゼーしてます", "息が苦しそう"},
		{"ぜえぜえ言ってる", "息が苦しそう"},
		{"痙攣してる", "けいれん・ひきつけ"},
		{"ケイレンかも", "けいれん・ひきつけ"},
		{"ひきつけを起こした", "けいれん・ひきつけ"},
		{"引きつけ起こしてます!", "けいれん・ひきつけ"},
		{"けいれんじゃないか心配", "けいれん・ひきつけ"},
		{"グッタリして動かない", "ぐったり"},
		{"けいれんしているかわからない", "けいれん・ひきつけ"}, // doubt is not reassurance
		{"顔色が悪いです", "顔色が悪い"},
		{"顔が青白い", "顔色が悪い"},
		{"唇が紫色", "顔色が悪い"},
		{"くちびるがむらさき", "顔色が悪い"},
		{"意識がないみたい", "意識がない・反応が鈍い"},
		{"反応が鈍い気がする", "意識がない・反応が鈍い"},
		{"呼んでも起きない", "意識がない・反応が鈍い"},
		{"うんちに血が混じってる", "血便・黒い便・白い便"},
		{"黒いうんちが出た", "血便・黒い便・白い便"},
		{"白い便が出ました", "血便・黒い便・白い便"},
		{"血便です", "血便・黒い便・白い便"},
		{"吐き続けています", "吐き続ける"},
		{"何度も吐いてる", "吐き続ける"},
		{"ミルクを飲まない", "母乳やミルクを飲まない"},
		{"母乳をのまなくなった", "母乳やミルクを飲まない"},
		{"赤ちゃんがミルクを飲みません", "母乳やミルクを飲まない"},
		{"おしっこが出ません", "おしっこが出ない"},
		{"おしっこが出ない", "おしっこが出ない"},
		{"オシッコでてない", "おしっこが出ない"},
		{"おむつが濡れない", "おしっこが出ない"},
		{"生後1か月で38度の熱", "38度以上の熱"},
		{"赤ちゃんが３８．５℃あります", "38度以上の熱"},
		{"熱が出ました", "38度以上の熱"},
		{"39度あって", "38度以上の熱"},

		{"死にたい", "死にたい・消えたい"},
		{"しにたい", "死にたい・消えたい"},
		{"シニタイ", "死にたい・消えたい"},
		{"し に た い", "死にたい・消えたい"},
		{"消えたい…", "死にたい・消えたい"},
		{"きえたい", "死にたい・消えたい"},
		{"いなくなりたい", "死にたい・消えたい"},
		{"死にたいとは思わないけど、つらい", "死にたい・消えたい"}, // a crisis is never negated
		{"自分を傷つけてしまう", "自分を傷つけたい"},
		{"赤ちゃんを傷つけてしまいそうで怖い", "赤ちゃんを傷つけてしまいそう"},
		{"出血が多くて止まらない", "大量の出血"},
		{"大量の出血があります", "大量の出血"},
		{"激しい頭痛がします", "激しい頭痛"},
		{"頭痛がひどいです", "激しい頭痛"},
		{"私、高熱が出ています", "高熱"},
		{"乳房がすごく痛いです", "乳房の強い痛み"},
		{"おっぱいが痛くて腫れてる", "乳房の強い痛み"},
		{"いなくなりたひ", "死にたい・消えたい"}, // one key off, long pattern
	}
	for _, tt := range tests {
		got := Check(tt.text)
		if !slices.Contains(got.SignNames(), tt.sign) {
			t.Errorf("Check(%q) = %v, want the sign %q", tt.text, got.SignNames(), tt.sign)
		}
	}
}

func TestCheckCoversEveryTableEntry(t *testing.T) {
	// Every pattern, as written in the table, must find its own sign: a
	// pattern broken by the normalizer would silently never match.
	for _, f := range redFlags {
		for _, p := range f.patterns {
			if got := Check(p); !slices.Contains(got.Signs, f.sign) {
				t.Errorf("pattern %q of %q does not match itself: %v", p, f.sign.Name, got.SignNames())
			}
		}
	}
}

func TestCheckLeavesOrdinarySentencesAlone(t *testing.T) {
	for _, text := range []string{
		"息子が元気です",
		"熱心に飲みます",
		"けいれんの心配はないと言われました",
		"予約を変えたいです",
		"ミルクをよく飲みます",
		"おしっこもうんちもよく出ています",
		"夜泣きがひどくて眠れません",
		"12月7日に予約したいです",
		"体重が増えているか知りたいです",
		"ぐったりはしていません、元気です",
		"熱はありません",
		"顔色もよく、機嫌もいいです",
		"授乳のあと少し吐き戻します",
		"息抜きがしたいです",
		"ありがとうございます、助かりました",
		"予約する",
		"ちょっと聞いてください",
		"37.2度でした",
		"かえたいです",
		"夜中に何度も起きてしまいます",
	} {
		if got := Check(text); got.Urgent() {
			t.Errorf("Check(%q) = %v, want no red flag", text, got.SignNames())
		}
	}
}

func TestConcernsPutACrisisFirst(t *testing.T) {
	got := Check("赤ちゃんがぐったりしていて、もう死にたい").Concerns()
	want := []Concern{MotherCrisis, BabyEmergency}
	if !slices.Equal(got, want) {
		t.Errorf("Concerns() = %v, want %v", got, want)
	}
}

func TestChildHealthHours(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	newYear := func(t time.Time) bool { return t.Month() == time.January && t.Day() == 1 }
	tests := []struct {
		at   string
		open bool
	}{
		{"2026-12-01 10:00", false}, // Tuesday morning
		{"2026-12-01 17:59", false},
		{"2026-12-01 18:00", true},
		{"2026-12-02 03:00", true},
		{"2026-12-05 10:00", true}, // Saturday
		{"2027-01-01 12:00", true}, // holiday
	}
	for _, tt := range tests {
		if got := ChildHealth.OpenAt(at(tt.at), newYear); got != tt.open {
			t.Errorf("#8000 open at %s = %v, want %v", tt.at, got, tt.open)
		}
	}
	if !EmergencyAdvice.OpenAt(at("2026-12-01 10:00"), nil) {
		t.Error("#7119 must answer around the clock")
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"赤ちゃんがけいれんしています", "けいれんの心配はないと言われました", "３８．５℃", "ｼﾆﾀｲ", "😢😢", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Check(text)
		if again := Check(text); len(again.Signs) != len(got.Signs) {
			t.Fatalf("Check(%q) is not deterministic", text)
		}
		for _, c := range got.Concerns() {
			if c < BabyEmergency || c > MotherBody {
				t.Fatalf("Check(%q) gave concern %v", text, c)
			}
		}
	})
}
