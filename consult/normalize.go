package consult

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Mothers write with one thumb: kanji or kana as the keyboard offers,
// katakana for emphasis, full-width digits, spaces, emoji, a missed ゛ or a
// big っ where a small one was meant. normalize maps a text to one plain
// form so that a red-flag pattern, written the same way, matches all of
// them. The form is for matching only; nobody reads it.
//
// The steps, in order:
//  1. NFKC: full-width letters and digits become ASCII, half-width kana
//     full-width; then lower case.
//  2. Kanji that the red-flag patterns use are replaced by their reading,
//     so 息が苦しい, いきがくるしい and 息がくるしい meet (readings below).
//  3. Katakana become hiragana.
//  4. ゛ and ゜ are dropped and small kana made big (が→か, っ→つ), the
//     commonest flick-keyboard slips.
//  5. Sentence ends (。!?、 and line breaks) become boundaryMark, so a
//     negation is looked for in the same clause only; everything else that
//     is not a letter or a digit (spaces, emoji, symbols, ー, 〜) goes, and
//     a character typed three or more times in a row counts twice
//     (くるしいいい), which keeps ぜーぜー whole; ー, 〜 and ~ are one mark;
//     and words that only intensify (すごく, とても) go.
func normalize(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	s = readings.Replace(s)
	var b strings.Builder
	var last rune
	run := 0
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == '\u3099' || r == '\u309a': // combining ゛ ゜
			continue
		case r >= 'ァ' && r <= 'ヶ':
			r -= 'ァ' - 'ぁ'
		}
		if big, ok := bigKana[r]; ok {
			r = big
		}
		switch {
		case r == '?':
		case r == '.' && last >= '0' && last <= '9': // 38.5
		case strings.ContainsRune("。.!、,\n", r):
			r = boundaryMark
		case r == 'ー' || r == '〜' || r == '~':
			r = 'ー' // one long mark: ゼーゼー, ぜ〜ぜ〜
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '℃' || r == '°':
		default:
			continue
		}
		if r == last && !unicode.IsDigit(r) {
			if run++; run >= 2 {
				continue // a third and later repeat: くるしいいい
			}
		} else {
			run = 0
		}
		b.WriteRune(r)
		last = r
	}
	return intensifiers.Replace(norm.NFC.String(b.String()))
}

// intensifiers are dropped so that 「乳房がすごく痛い」 meets 「乳房が痛」;
// they are written in the normalized form.
var intensifiers = strings.NewReplacer("ものすこく", "", "すこく", "", "とても", "", "かなり", "", "めちやくちや", "", "めつちや", "", "ほんとうに", "", "本当に", "")

// boundaryMark ends a clause in the normalized form; '?' ends one too.
const boundaryMark = '|'

func isBoundary(r rune) bool { return r == boundaryMark || r == '?' }

var bigKana = map[rune]rune{
	'ぁ': 'あ', 'ぃ': 'い', 'ぅ': 'う', 'ぇ': 'え', 'ぉ': 'お',
	'っ': 'つ', 'ゃ': 'や', 'ゅ': 'ゆ', 'ょ': 'よ', 'ゎ': 'わ',
	'ゕ': 'か', 'ゖ': 'け',
}

// readings turns the kanji of the red-flag vocabulary into kana. A
// compound comes before its characters (strings.Replacer tries the
// arguments in order), and words that share a character with a pattern
// but mean something else are read first so they cannot match: 息子 is
// not 息, 熱心 is not a fever.
var readings = strings.NewReplacer(
	"息子", "むすこ", "熱心", "ねっしん", "息抜", "いきぬ",
	"痙攣", "けいれん", "引き付け", "ひきつけ", "引きつけ", "ひきつけ", "引き攣", "ひきつ",
	"呼吸", "こきゅう", "顔色", "かおいろ", "意識", "いしき", "反応", "はんのう",
	"血便", "けつべん", "出血", "しゅっけつ", "頭痛", "ずつう", "乳房", "にゅうぼう",
	"大量", "たいりょう", "母乳", "ぼにゅう", "自分", "じぶん", "自殺", "じさつ",
	"赤ちゃん", "あかちゃん", "何度", "なんど", "嘔吐", "おうと", "高熱", "こうねつ",
	"青白", "あおじろ", "真っ青", "まっさお", "真っ白", "まっしろ", "紫色", "むらさきいろ",
	"息", "いき", "苦", "くる", "唇", "くちびる", "紫", "むらさき", "青", "あお",
	"悪", "わる", "鈍", "にぶ", "黒", "くろ", "白", "しろ", "便", "べん", "吐", "は",
	"続", "つづ", "飲", "の", "出", "で", "死", "し", "消", "き", "傷", "きず",
	"激", "はげ", "痛", "いた", "熱", "ねつ", "胸", "むね", "頭", "あたま", "血", "ち",
	"止", "と", "尿", "にょう", "濡", "ぬ", "叩", "たた", "殺", "ころ", "起", "お",
	"呼", "よ", "顔", "かお", "目", "め", "覚", "さ", "多", "おお", "量", "りょう",
	"荒", "あら", "速", "はや", "変", "へん", "無", "む", "何", "なに", "手", "て",
)
