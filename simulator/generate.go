package simulator

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// DocumentedCategories are the flow categories of the CAMS documentation, in
// its order. Meta also uses SHOPPING, which the documentation leaves out.
var DocumentedCategories = []string{
	"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION",
	"CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER",
}

// UndocumentedCategory is the category Meta uses that CAMS does not document.
const UndocumentedCategory = "SHOPPING"

// categoryWeights make some categories commoner than others.
var categoryWeights = []struct {
	name   string
	weight int
}{
	{"SIGN_UP", 4}, {"SIGN_IN", 3}, {"APPOINTMENT_BOOKING", 3}, {"LEAD_GENERATION", 2},
	{"CONTACT_US", 2}, {"CUSTOMER_SUPPORT", 4}, {"SURVEY", 2}, {"OTHER", 1},
	{UndocumentedCategory, 1},
}

// Generate builds a data set from seed alone: the same arguments always give
// the same data. It holds the account's own space (ID "") and spaces
// sub-customer spaces with IDs "cams-" and 8 lower-case letters or digits.
// Flow counts spread around flowsPerSpace: one sub-customer space is empty,
// one holds twice as many, one a multiple of 20 and the others between half
// and one and a half times as many. Each flow has a 16-digit FlowId unique
// within its space, a name such as "appointment booking 17" and one to three
// categories. Once the data set holds nine flows or more, every documented
// category and SHOPPING appear, and so does a flow with three categories.
// Each flow has a documented Status: the first three PUBLISHED, DRAFT and
// DEPRECATED, the others about 70% PUBLISHED, 20% DRAFT and 10% DEPRECATED,
// drawn from a stream of their own so that the rest of the data is what it
// was before flows had statuses.
//
// Every space has a WABA and NumbersPerSpace (3) numbers but one
// sub-customer space (chosen by seed) and about 2% of the others, which
// have neither (QueryChatappBindWaba answers ERR-OPERATION-MAAP-0060); they
// too come from a stream of their own. A WABA has a 15-digit Id and
// BusinessId, the name of a made-up business, AccountReviewStatus about 98%
// APPROVED (PENDING, REJECTED, DISABLED), Currency about 90% USD, and a
// template namespace. Numbers are a country code and ten digits, unique in
// the account, named after the business; about 85% GREEN (YELLOW 8%, RED
// 4%, UNKNOWN 3%; half the RED ones FLAGGED), 96% CONNECTED (the other
// documented statuses share the rest), MessagingLimitTier one of Meta's
// (TIER_50 to TIER_UNLIMITED, mostly TIER_1K and TIER_10K),
// CodeVerificationStatus 96% VERIFIED, NameStatus 93% Approval (CAMS's
// spelling), NewNameStatus mostly empty, IsOfficial 95% N. Health follows:
// a number BANNED, DELETED, PENDING, UNVERIFIED, DISCONNECTED or OFFLINE is
// BLOCKED with an error, RESTRICTED or RATE_LIMITED LIMITED, and others
// AVAILABLE; about 2.5% of WABAs (and the REJECTED or DISABLED ones, 1%)
// and 2% of businesses are LIMITED or BLOCKED; the APP is AVAILABLE. So that small
// data sets show them, the second number made is YELLOW, the third RED and
// FLAGGED, the fifth RESTRICTED, the sixth a new number (PENDING, UNKNOWN,
// NOT_VERIFIED, TIER_250), the second WABA LIMITED and the fourth PENDING.
// The data set holds nothing undocumented: write a data file for that.
func Generate(seed int64, spaces, flowsPerSpace int) *Dataset {
	spaces, flowsPerSpace = max(spaces, 0), max(flowsPerSpace, 0)
	r := rand.New(rand.NewPCG(uint64(seed), 0x63616d73)) // "cams"
	ids := spaceIDs(r, spaces)
	counts := flowCounts(r, len(ids), flowsPerSpace)
	g := &flowGen{r: r, statusRand: rand.New(rand.NewPCG(uint64(seed), 0x737461747573))} // "status"
	d := &Dataset{Spaces: make([]Space, len(ids))}
	for i, id := range ids {
		d.Spaces[i] = Space{ID: id, Flows: g.flows(counts[i])}
	}
	addAccounts(seed, d)
	return d
}

// spaceIDs returns "" and n distinct sub-customer space IDs.
func spaceIDs(r *rand.Rand, n int) []string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	ids := []string{""}
	seen := map[string]bool{}
	for len(ids) < n+1 {
		var b strings.Builder
		b.WriteString("cams-")
		for range 8 {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		if id := b.String(); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// flowCounts spreads n flow counts around perSpace; index 0 is the own space.
func flowCounts(r *rand.Rand, n, perSpace int) []int {
	counts := make([]int, n)
	for i := range counts {
		lo, hi := perSpace/2, perSpace+perSpace/2
		counts[i] = lo + r.IntN(hi-lo+1)
	}
	roles := r.Perm(n - 1) // sub-customer spaces, in a seeded order
	for i, p := range roles {
		switch i {
		case 0:
			counts[p+1] = 0
		case 1:
			counts[p+1] = 2 * perSpace
		case 2:
			if perSpace > 0 {
				counts[p+1] = max(20, (perSpace+10)/20*20)
			}
		}
	}
	return counts
}

// flowGen makes flows; k counts the flows made so far, over all spaces.
type flowGen struct {
	r          *rand.Rand
	k          int
	statusRand *rand.Rand
}

func (g *flowGen) flows(n int) []Flow {
	if n == 0 {
		return nil
	}
	flows := make([]Flow, 0, n)
	used := map[string]bool{}
	for i := 1; i <= n; i++ {
		id := g.flowID()
		for used[id] {
			id = g.flowID()
		}
		used[id] = true
		cats := g.categories()
		name := strings.ToLower(strings.ReplaceAll(cats[0], "_", " ")) + " " + strconv.Itoa(i)
		flows = append(flows, Flow{FlowId: id, FlowName: name, Categories: cats, Status: g.status()})
	}
	return flows
}

// status returns the status of the flow categories was last called for.
func (g *flowGen) status() string {
	if k := g.k - 1; k < len(DocumentedFlowStatuses) {
		return [...]string{"PUBLISHED", "DRAFT", "DEPRECATED"}[k]
	}
	switch p := g.statusRand.IntN(100); {
	case p < 70:
		return "PUBLISHED"
	case p < 90:
		return "DRAFT"
	default:
		return "DEPRECATED"
	}
}

func (g *flowGen) flowID() string {
	return strconv.FormatInt(1_000_000_000_000_000+g.r.Int64N(9_000_000_000_000_000), 10)
}

// categories returns the next flow's categories. The first flows cycle
// through the documented categories, the ninth adds SHOPPING and the tenth
// carries three, so that small data sets still hold them all; the others
// are drawn at random, about one in five with two or three categories.
func (g *flowGen) categories() []string {
	nd := len(DocumentedCategories)
	k := g.k
	g.k++
	cats := []string{g.pick(nil)}
	if k < nd {
		cats[0] = DocumentedCategories[k]
	}
	extra := 0
	switch p := g.r.IntN(100); {
	case k == nd:
		if cats[0] != UndocumentedCategory {
			cats = append(cats, UndocumentedCategory)
		}
	case k == nd+1:
		extra = 2
	case p < 15:
		extra = 1
	case p < 20:
		extra = 2
	}
	for range extra {
		cats = append(cats, g.pick(cats))
	}
	return cats
}

// pick draws a weighted category not in except.
func (g *flowGen) pick(except []string) string {
	total := 0
	for _, c := range categoryWeights {
		if !slices.Contains(except, c.name) {
			total += c.weight
		}
	}
	n := g.r.IntN(total)
	for _, c := range categoryWeights {
		if slices.Contains(except, c.name) {
			continue
		}
		if n < c.weight {
			return c.name
		}
		n -= c.weight
	}
	panic("unreachable")
}
