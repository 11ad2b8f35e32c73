// Package consult holds what the bot and the midwives' console share about
// a mother's words: the red-flag signs that make a message urgent, and the
// numbers she is given to call. It imports nothing of LINE, HTTP or SQL.
package consult

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Concern says whose safety a red flag is about, and so which answer she
// gets at once.
type Concern int

const (
	// BabyEmergency: a sign that the baby may need a doctor now.
	BabyEmergency Concern = iota + 1
	// MotherCrisis: thoughts of dying or of harming herself or the baby.
	MotherCrisis
	// MotherBody: a sign in the mother's own body that needs a doctor soon.
	MotherBody
)

func (c Concern) String() string {
	switch c {
	case BabyEmergency:
		return "baby_emergency"
	case MotherCrisis:
		return "mother_crisis"
	case MotherBody:
		return "mother_body"
	}
	return "none"
}

// Sign is one red flag, named as the console shows it to a midwife.
type Sign struct {
	Name    string // e.g. けいれん
	Concern Concern
}

// Triage is what the red-flag check found in one message.
type Triage struct {
	Signs []Sign
}

// Urgent reports whether the message carries any red flag.
func (t Triage) Urgent() bool { return len(t.Signs) > 0 }

// Concerns lists the concerns found, most pressing first: a mother's crisis
// before the baby's emergency before her own body.
func (t Triage) Concerns() []Concern {
	var out []Concern
	for _, c := range []Concern{MotherCrisis, BabyEmergency, MotherBody} {
		if slices.ContainsFunc(t.Signs, func(s Sign) bool { return s.Concern == c }) {
			out = append(out, c)
		}
	}
	return out
}

// SignNames lists the names of the signs found, for the console.
func (t Triage) SignNames() []string {
	names := make([]string, 0, len(t.Signs))
	for _, s := range t.Signs {
		names = append(names, s.Name)
	}
	return names
}

// redFlag is a sign and the ways mothers write it. Patterns are written in
// plain Japanese and go through normalize like the message does, so each
// needs writing only once: kana or kanji, katakana, ゛ and small kana do not
// matter. A pattern is a stem (息が苦し matches 苦しい, 苦しそう, 苦しくて).
type redFlag struct {
	sign     Sign
	patterns []string
	// negatable: a clause such as 「けいれんの心配はないと言われました」
	// clears it. A mother's crisis is never cleared this way: 「死にたいとは
	// 思わないけど」 still gets the warm answer, since a false alarm there
	// costs a kind message and a miss could cost a life.
	negatable bool
}

// The table. The baby signs follow the list and the 東京都 guide to
// a child's sudden illness; the mother's follow the ward's postpartum
// warning signs. Extend it here: the console reads the same table.
var redFlags = []redFlag{
	{Sign{"ぐったり", BabyEmergency}, []string{"ぐったり", "ぐたっと", "ぐたり", "ぐんにゃり", "ぐにゃっと", "ぐにゃぐにゃ"}, true},
	{Sign{"息が苦しそう", BabyEmergency}, []string{
		"息が苦し", "息苦し", "呼吸が苦し", "呼吸がおかし", "呼吸が変", "呼吸が荒", "呼吸が速", "呼吸が早",
		"息がおかし", "息が荒", "息が変", "息をしていな", "息してな", "息をしてな", "呼吸が止ま", "息が止ま",
		"無呼吸", "陥没呼吸", "ぜーぜー", "ぜえぜえ", "ぜいぜい", "ひゅーひゅー", "ゼロゼロ",
	}, true},
	{Sign{"けいれん・ひきつけ", BabyEmergency}, []string{"けいれん", "ひきつけ", "ひきつって", "ひきつり", "白目をむ", "白目になって"}, true},
	{Sign{"顔色が悪い", BabyEmergency}, []string{
		"顔色が悪", "顔色がおかし", "顔色が青", "顔色が白", "顔が青", "顔が白", "青白", "真っ青", "真っ白",
		"唇が紫", "唇が青", "紫色", "チアノーゼ", "土気色",
	}, true},
	{Sign{"意識がない・反応が鈍い", BabyEmergency}, []string{
		"意識がな", "意識がおかし", "意識がもうろう", "反応が鈍", "反応がな", "反応しな", "反応が悪", "反応がおかし",
		"呼んでも起きな", "起こしても起きな", "目を覚まさな", "目を開けな",
	}, true},
	{Sign{"血便・黒い便・白い便", BabyEmergency}, []string{
		"血便", "便に血", "うんちに血", "黒い便", "黒いうんち", "白い便", "白いうんち", "灰色のうんち", "灰色の便",
		"うんちが白", "うんちが黒", "便が白", "便が黒", "血が混じ",
	}, true},
	{Sign{"吐き続ける", BabyEmergency}, []string{
		"吐き続け", "何度も吐", "ずっと吐", "吐いてばかり", "噴水のように吐", "緑色のものを吐", "嘔吐が続", "吐くのが止まらな",
	}, true},
	{Sign{"母乳やミルクを飲まない", BabyEmergency}, []string{
		"飲まな", "飲めな", "飲んでくれな", "飲みませ", "飲めませ", "飲んでくれませ", "飲もうとしな",
		"飲みが悪", "飲む量が減", "飲まなく", "ミルクを嫌が", "おっぱいを嫌が",
	}, true},
	{Sign{"おしっこが出ない", BabyEmergency}, []string{
		"おしっこが出な", "おしっこ出な", "おしっこが出てな", "おしっこが出ませ", "おしっこが出てませ", "おしっこしてな",
		"おしっこをしな", "尿が出な",
		"おむつが濡れな", "おむつがぬれな",
	}, true},

	{Sign{"死にたい・消えたい", MotherCrisis}, []string{
		"死にたい", "死んでしまいたい", "死のうと", "死ぬしかな", "死にそう", "自殺", "消えたい", "消えてしまいたい",
		"消えてなくなりたい", "いなくなりたい", "生きていたくな", "生きているのがつら", "生きるのがつら", "楽になりたい",
	}, false},
	{Sign{"自分を傷つけたい", MotherCrisis}, []string{"自分を傷つけ", "自分を傷付け", "リストカット", "リスカ", "自傷"}, false},
	{Sign{"赤ちゃんを傷つけてしまいそう", MotherCrisis}, []string{
		"赤ちゃんを傷つけ", "赤ちゃんを傷付け", "赤ちゃんを叩いてしま", "赤ちゃんを叩きそう", "赤ちゃんに手をあげ",
		"赤ちゃんに手を上げ", "赤ちゃんを投げ", "赤ちゃんを殺", "子どもを殺", "この子を殺", "揺さぶってしま",
	}, false},
	{Sign{"大量の出血", MotherBody}, []string{"大量の出血", "出血が多", "出血が止まらな", "血が止まらな", "大量出血", "血のかたまりが"}, true},
	{Sign{"激しい頭痛", MotherBody}, []string{"激しい頭痛", "ひどい頭痛", "頭痛がひど", "頭が割れ", "頭がすごく痛", "頭が痛くてたまらな"}, true},
	{Sign{"乳房の強い痛み", MotherBody}, []string{"乳房が痛", "乳房の痛", "おっぱいが痛", "おっぱいがすごく痛", "胸が痛", "乳腺炎"}, true},
}

// fever finds a temperature of 38 度 or more, or words for a fever. Under 3
// months a fever of 38 度 is an emergency for the baby; for the mother a
// high fever needs a doctor (mastitis, infection).
var (
	feverDegrees = regexp.MustCompile(`(3[89]|4[0-2])(\.[0-9])?(度|ど|°c|°|c|ふん)`)
	feverWords   = []string{normalize("高熱"), normalize("熱が出"), normalize("熱がある"), normalize("熱が高"), normalize("熱っぽ"), normalize("発熱")}
	// A fever is the baby's unless only the mother is named.
	babyWords   = []string{"赤ちゃん", "赤ん坊", "子", "息子", "娘", "ベビー", "新生児", "うちの子", "この子"}
	motherWords = []string{"私", "わたし", "自分", "ママ", "母", "産後の体"}
)

// negation matches, right after a negatable sign, a clause that takes it
// back: 「けいれんの心配はないと言われました」「ぐったりはしていません」.
// Only a few linking words may stand between the sign and the negation, so
// 「ぐったりして動かない」 stays a red flag, and a word of doubt after it
// keeps the flag too: 「けいれんじゃないか心配」 is a worry, not a reassurance.
var (
	negation = regexp.MustCompile(`^(` + alternatives("の心配", "の様子", "の症状", "のような", "みたいな", "っぽさ", "して", "してい", "し", "は", "も", "が", "じゃ", "では", "に", "こと") + `)*(` +
		alternatives("ない", "なし", "ません", "なかった", "ありません", "いない", "いません", "ないです", "大丈夫") + `)`)
	doubts = normalizeAll("わからな", "わかんな", "分からな", "かも", "ないか", "ですか", "ますか", "ませんか", "かしら", "でしょうか", "心配で", "不安", "?")
)

// alternatives joins normalized words into a regexp alternation.
func alternatives(words ...string) string {
	quoted := make([]string, 0, len(words))
	for _, w := range normalizeAll(words...) {
		quoted = append(quoted, regexp.QuoteMeta(w))
	}
	return strings.Join(quoted, "|")
}

// negationWindow is how far after a sign, in normalized characters, a
// word of doubt still belongs to it.
const negationWindow = 14

// fuzzyMinLen is the shortest pattern matched with one wrong character. A
// shorter one would turn 「かえたい」 (change a booking) into 「きえたい」, or
// 「何度も起きて」 (night waking) into 「何度も吐」.
const fuzzyMinLen = 6

type compiledFlag struct {
	redFlag
	norm []string
}

var compiled = compileFlags()

func compileFlags() []compiledFlag {
	out := make([]compiledFlag, 0, len(redFlags))
	for _, f := range redFlags {
		out = append(out, compiledFlag{redFlag: f, norm: normalizeAll(f.patterns...)})
	}
	return out
}

func normalizeAll(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, normalize(s))
	}
	return out
}

// Check looks for red flags in what a mother wrote. It prefers a false
// alarm to a miss: the answer to a false alarm is a kind message with
// numbers she did not need.
func Check(text string) Triage {
	n := normalize(text)
	var t Triage
	for _, f := range compiled {
		if f.matches(n) {
			t.Signs = append(t.Signs, f.sign)
		}
	}
	if at, ok := feverAt(n); ok && !negatedAt(n, at) {
		if mentionsOnlyMother(text) {
			t.Signs = append(t.Signs, Sign{"高熱", MotherBody})
		} else {
			t.Signs = append(t.Signs, Sign{"38度以上の熱", BabyEmergency})
		}
	}
	return t
}

func (f compiledFlag) matches(n string) bool {
	for _, p := range f.norm {
		for _, end := range matchEnds(n, p) {
			if !f.negatable || !negatedAt(n, end) {
				return true
			}
		}
	}
	return false
}

// matchEnds returns the byte offsets where each match of p in n ends: exact
// matches, and for long patterns those with one character mistyped.
func matchEnds(n, p string) []int {
	var ends []int
	for i := 0; ; {
		j := strings.Index(n[i:], p)
		if j < 0 {
			break
		}
		ends = append(ends, i+j+len(p))
		i += j + len(p)
	}
	if len(ends) > 0 || utf8.RuneCountInString(p) < fuzzyMinLen {
		return ends
	}
	pr, nr := []rune(p), []rune(n)
	for i := 0; i+len(pr) <= len(nr); i++ {
		wrong := 0
		for k := range pr {
			if nr[i+k] != pr[k] {
				if wrong++; wrong > 1 {
					break
				}
			}
		}
		if wrong <= 1 && nr[i] == pr[0] {
			ends = append(ends, len(string(nr[:i+len(pr)])))
		}
	}
	return ends
}

// negatedAt reports whether the clause after offset end takes the sign back.
func negatedAt(n string, end int) bool {
	rest := []rune(n[end:])
	stop := len(rest)
	for i, r := range rest {
		if isBoundary(r) {
			stop = i + 1 // a ? belongs to the clause it ends
			break
		}
	}
	clause := string(rest[:min(stop, negationWindow)])
	return negation.MatchString(clause) && !containsAny(clause, doubts)
}

func feverAt(n string) (end int, ok bool) {
	if loc := feverDegrees.FindStringIndex(n); loc != nil {
		return loc[1], true
	}
	for _, w := range feverWords {
		if i := strings.Index(n, w); i >= 0 {
			return i + len(w), true
		}
	}
	return 0, false
}

func mentionsOnlyMother(text string) bool {
	return containsAny(text, motherWords) && !containsAny(text, babyWords)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
