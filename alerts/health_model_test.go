package alerts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// The collectors of the sources, as the exporter labels their series.
const (
	phoneNumbersCollector    = "phone-numbers"
	wabaCollector            = "waba"
	messagingHealthCollector = "messaging-health"
	templatesCollector       = "templates"
)

// collectors are the collectors of the sources, in the order a space's
// state keys them (sourcesKey).
var collectors = []string{phoneNumbersCollector, wabaCollector, messagingHealthCollector, templatesCollector}

// Meta's health states, best first.
var healthStates = []string{"AVAILABLE", "LIMITED", "BLOCKED"}

// worse returns the worse of two health states.
func worse(a, b string) string {
	if slices.Index(healthStates, b) > slices.Index(healthStates, a) {
		return b
	}
	return a
}

// tierLimits is the documented mapping of a tier to the daily limit
// (README, DESIGN18): a tier it does not name has no limit series.
var tierLimits = map[string]float64{
	"TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10000,
	"TIER_100K": 100000, "TIER_UNLIMITED": math.Inf(1), "UNLIMITED": math.Inf(1),
}

// phoneNumber is a number as QueryChatappPhoneNumbers answers it.
type phoneNumber struct {
	id, status, rating, tier, codeVerification, nameStatus string
}

// waba is a space's WABA as QueryChatappBindWaba answers it; id "" is
// ERR-OPERATION-MAAP-0060, no WABA.
type waba struct {
	id, business, review string
}

// entity is one entity of a GetWhatsappHealthStatus answer, with Meta's
// error codes.
type entity struct {
	typ, id, state string
	errors         []string
}

// healthAccount is the exporter of one account with every collector on,
// sampled by Prometheus every scrape: its flows (ListFlow, healthy, as
// accountModel has them), the three sources of issue 18 and the message
// templates of issue 19 (templates_model_test.go), each with a
// schedule of its own (its own limiter and interval: an accountModel whose
// timing and failures are the source's), reading what CAMS answers at the
// time of each call. A source turned off has rate 0. What CAMS answers
// comes from the scenario's functions of the space, the number and the time
// of the call.
//
// The messaging-health source calls NodeType=waba for every space with a
// WABA each pass; a number's NodeType=phone is read once, with its space's
// first waba read (the phone interval, 12h, is longer than any scenario),
// and answers the worst of the WABA, BUSINESS and APP entities of that time
// and its own PHONE_NUMBER entity. A space's BUSINESS, APP and WABA
// entities are those of its last waba read. Spaces without a WABA are not
// called (the model keeps the other spaces' times as if they were).
type healthAccount struct {
	flows                            accountModel
	phones, wabas, health, templates accountModel

	numbersIn      func(i int) int
	numberAt       func(i, n int, t float64) phoneNumber
	wabaAt         func(i int, t float64) waba
	entitiesAt     func(i int, t float64) []entity // WABA, BUSINESS and APP
	numberEntityAt func(i, n int, t float64) entity
	// templatesAt is the audit status of each template of space i at t,
	// by template: the same index is the same template at every t.
	templatesAt func(i int, t float64) []string

	calledBefore []int // see called
	// listings memoizes templateListings.
	listings map[int][]templateListing
	// memo holds each space's series at its sources' last states: they
	// change only when a source calls the space.
	memo map[int]spaceSeriesMemo
}

// newHealthAccount is a healthy 10,000-space account with 3 numbers a space
// (none without a WABA) and every collector on at its default rate and
// interval, scraped every minute for samples minutes: every number
// CONNECTED and GREEN at TIER_1K, every WABA APPROVED, every entity
// AVAILABLE, 50 templates a space, all pass. Scenarios change the
// functions.
func newHealthAccount(samples int) *healthAccount {
	flows := largeAccount()
	flows.samples = samples
	source := func(rate, interval float64) accountModel {
		m := flows
		m.rate, m.interval = rate, interval
		return m
	}
	h := &healthAccount{
		flows:  flows,
		phones: source(8, 900),
		wabas:  source(8, 21600),
		health: source(4, 3600),
		// ListChatappTemplate at 4 calls/s, templatePages calls a space:
		// a listing every 0.75 s.
		templates: source(4.0/templatePages, 3600),
	}
	h.numbersIn = func(i int) int {
		if h.wabaAt(i, 0).id == "" {
			return 0 // no WABA, no number
		}
		return 3
	}
	h.numberAt = func(i, n int, _ float64) phoneNumber {
		return phoneNumber{id: h.numberID(i, n), status: "CONNECTED", rating: "GREEN", tier: "TIER_1K", codeVerification: "VERIFIED", nameStatus: "APPROVED"}
	}
	h.wabaAt = func(i int, _ float64) waba {
		return waba{id: fmt.Sprintf("waba-%05d", i), business: fmt.Sprintf("biz-%05d", i), review: "APPROVED"}
	}
	h.entitiesAt = func(i int, t float64) []entity {
		w := h.wabaAt(i, t)
		return []entity{{typ: "WABA", id: w.id, state: "AVAILABLE"}, {typ: "BUSINESS", id: w.business, state: "AVAILABLE"},
			{typ: "APP", id: "app-isv", state: "AVAILABLE"}}
	}
	h.numberEntityAt = func(i, n int, _ float64) entity {
		return entity{typ: "PHONE_NUMBER", id: h.numberID(i, n), state: "AVAILABLE"}
	}
	h.templatesAt = func(int, float64) []string { return allPass }
	return h
}

func (h *healthAccount) numberID(i, n int) string { return fmt.Sprintf("+86130%05d%d", i, n) }

func (h *healthAccount) spaceID(i int) string { return h.flows.spaceID(i) }

// sources returns the collectors turned on, with their schedules.
func (h *healthAccount) sources() map[string]*accountModel {
	out := map[string]*accountModel{}
	for _, name := range collectors {
		if m := h.source(name); m != nil {
			out[name] = m
		}
	}
	return out
}

// source returns a collector's schedule, nil if it is off.
func (h *healthAccount) source(collector string) *accountModel {
	var m *accountModel
	switch collector {
	case phoneNumbersCollector:
		m = &h.phones
	case wabaCollector:
		m = &h.wabas
	case messagingHealthCollector:
		m = &h.health
	case templatesCollector:
		m = &h.templates
	}
	if m == nil || m.rate == 0 {
		return nil
	}
	return m
}

// calls reports whether the source calls space i at all: messaging-health
// only the spaces with a WABA.
func (h *healthAccount) calls(collector string, i int) bool {
	return collector != messagingHealthCollector || h.called(i+1) > h.called(i)
}

// called returns how many of the first n spaces the messaging-health
// source calls (those with a WABA).
func (h *healthAccount) called(n int) int {
	if h.calledBefore == nil {
		h.calledBefore = make([]int, h.health.spaces+1)
		for i := range h.health.spaces {
			h.calledBefore[i+1] = h.calledBefore[i] + boolInt(h.wabaAt(i, 0).id != "")
		}
	}
	return h.calledBefore[n]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sourceState is what a source exports of space i at scrape k: its state
// and, once a call succeeded, when the last successful one started (read).
type sourceState struct {
	spaceState
	code string
	read float64 // NaN without success
}

func (h *healthAccount) sourceAt(collector string, i, k int) (sourceState, bool) {
	m := h.source(collector)
	if m == nil || !h.calls(collector, i) {
		return sourceState{}, false
	}
	st := m.spaceAt(i, m.at(k))
	out := sourceState{spaceState: st, read: st.lastSuccess - m.latency}
	if st.listed && !st.up {
		out.code = m.codeOf(i)
	}
	return out, true
}

// healthView is space i's messaging health at one scrape.
type healthView struct {
	waba     string   // the waba node's state
	entities []entity // WABA, BUSINESS, APP of the last waba read, then PHONE_NUMBER
	phones   []string // each number's node state, by number
}

// spaceView is what space i exports at scrape k (nil parts: no data).
type spaceView struct {
	numbers []phoneNumber
	waba    *waba
	health  *healthView
}

func (h *healthAccount) view(i, k int) spaceView {
	return spaceView{numbers: h.numbersView(i, k), waba: h.wabaView(i, k), health: h.healthView(i, k)}
}

func (h *healthAccount) numbersView(i, k int) []phoneNumber {
	st, ok := h.sourceAt(phoneNumbersCollector, i, k)
	if !ok || math.IsNaN(st.read) {
		return nil
	}
	numbers := make([]phoneNumber, 0, h.numbersIn(i))
	for n := range h.numbersIn(i) {
		numbers = append(numbers, h.numberAt(i, n, st.read))
	}
	return numbers
}

func (h *healthAccount) wabaView(i, k int) *waba {
	st, ok := h.sourceAt(wabaCollector, i, k)
	if !ok || math.IsNaN(st.read) {
		return nil
	}
	w := h.wabaAt(i, st.read)
	return &w
}

func (h *healthAccount) healthView(i, k int) *healthView {
	st, ok := h.sourceAt(messagingHealthCollector, i, k)
	if !ok || math.IsNaN(st.read) {
		return nil
	}
	return h.healthOf(i, st.read)
}

// healthOf is the messaging health of space i last read at t.
func (h *healthAccount) healthOf(i int, t float64) *healthView {
	first, _ := h.health.listed(i, 0) // the phone nodes' read (see healthAccount)
	for m := 0; h.health.failing(i, first); m++ {
		first, _ = h.health.listed(i, m+1)
	}
	hv := &healthView{waba: "AVAILABLE"}
	for _, e := range h.entitiesAt(i, t) {
		hv.entities = append(hv.entities, e)
		hv.waba = worse(hv.waba, e.state)
	}
	shared := "AVAILABLE"
	for _, e := range h.entitiesAt(i, first) {
		shared = worse(shared, e.state)
	}
	for n := range h.numbersIn(i) {
		e := h.numberEntityAt(i, n, first)
		hv.entities = append(hv.entities, e)
		hv.phones = append(hv.phones, worse(shared, e.state))
	}
	return hv
}

// blockingEntity returns the APP or BUSINESS entity of the space in state,
// if any: the one its per-space alerts of that state carry. A scenario
// never has two (the rule picks one of them, unspecified).
func (hv *healthView) blockingEntity(state string) (entity, bool) {
	for _, e := range hv.entities {
		if (e.typ == "APP" || e.typ == "BUSINESS") && e.state == state {
			return e, true
		}
	}
	return entity{}, false
}

// seriesSet collects series scrape by scrape; a series missing at a scrape
// after being present gets a staleness marker there, as Prometheus writes
// when a series leaves the exposition.
type seriesSet struct {
	samples int
	values  map[string][]float64
}

func newSeriesSet(samples int) *seriesSet {
	return &seriesSet{samples: samples, values: map[string][]float64{}}
}

func (s *seriesSet) set(series string, k int, v float64) {
	vals, ok := s.values[series]
	if !ok {
		vals = make([]float64, s.samples)
		for j := range vals {
			vals[j] = math.NaN()
		}
		s.values[series] = vals
	}
	vals[k] = v
}

func (s *seriesSet) inputSeries() []inputSeries {
	var out []inputSeries
	for _, name := range slices.Sorted(maps.Keys(s.values)) {
		out = append(out, inputSeries{Series: name, Values: encodeWithStale(s.values[name])})
	}
	return out
}

// encodeWithStale is encodeValues with a staleness marker at the first
// missing sample after a present one, and runs of +Inf (an unlimited
// number's limit) as "+Inf+0xn" (promtool reads no "+Infxn").
func encodeWithStale(v []float64) string {
	var parts []string
	start := 0
	for k := 1; k <= len(v); k++ {
		if k < len(v) && !(math.IsNaN(v[k]) && !math.IsNaN(v[k-1])) && math.IsInf(v[k], 1) == math.IsInf(v[k-1], 1) {
			continue
		}
		switch {
		case k > start && math.IsInf(v[start], 1):
			run := "+Inf"
			if k-start > 1 {
				run = fmt.Sprintf("+Inf+0x%d", k-start-1)
			}
			parts = append(parts, run)
		case k > start:
			parts = append(parts, encodeValues(v[start:k]))
		}
		start = k
		if k < len(v) && math.IsNaN(v[k]) && !math.IsNaN(v[k-1]) {
			parts = append(parts, "stale")
			start = k + 1
		}
	}
	return strings.Join(parts, " ")
}

// seriesName writes a series' name and labels, in the given order,
// leaving out the empty ones (as Prometheus does).
func seriesName(name string, kv ...string) string {
	var parts []string
	for j := 0; j < len(kv); j += 2 {
		if kv[j+1] != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", kv[j], kv[j+1]))
		}
	}
	return name + "{" + strings.Join(parts, ", ") + "}"
}

func (h *healthAccount) exporterLabels() []string {
	return []string{"job", "cams", "instance", h.flows.instance}
}

// sample is one series' value.
type sample struct {
	series string
	value  float64
}

// sourcesKey is the state of every source of a space at one scrape.
type sourcesKey [4]struct {
	on, listed, up bool
	last, read     uint64 // float bits: NaN is not equal to itself
	code           string
}

type spaceSeriesMemo struct {
	key     sourcesKey
	samples []sample
}

func (h *healthAccount) sourcesKey(i, k int) sourcesKey {
	var key sourcesKey
	for j, collector := range collectors {
		st, ok := h.sourceAt(collector, i, k)
		key[j].on, key[j].listed, key[j].up, key[j].code = ok, st.listed, st.up, st.code
		key[j].last, key[j].read = math.Float64bits(st.lastSuccess), math.Float64bits(st.read)
	}
	return key
}

// spaceSeries adds the series space i exports at scrape k, those keep
// selects.
func (h *healthAccount) spaceSeries(s *seriesSet, i, k int, keep func(string) bool) {
	if h.memo == nil {
		h.memo = map[int]spaceSeriesMemo{}
	}
	key := h.sourcesKey(i, k)
	m, ok := h.memo[i]
	if !ok || m.key != key {
		m = spaceSeriesMemo{key: key, samples: h.spaceSamples(i, k)}
		h.memo[i] = m
	}
	for _, smp := range m.samples {
		if keep == nil || keep(smp.series) {
			s.set(smp.series, k, smp.value)
		}
	}
}

// spaceSamples returns the series space i exports at scrape k.
func (h *healthAccount) spaceSamples(i, k int) []sample {
	space := h.spaceID(i)
	var out []sample
	add := func(v float64, name string, kv ...string) {
		out = append(out, sample{seriesName(name, slices.Concat(h.exporterLabels(), kv)...), v})
	}
	for _, collector := range slices.Sorted(maps.Keys(h.sources())) {
		st, ok := h.sourceAt(collector, i, k)
		if !ok || !st.listed {
			continue
		}
		add(boolFloat(st.up), "cams_collector_space_up", "collector", collector, "space", space)
		if !math.IsNaN(st.lastSuccess) {
			// promtool's clock starts at the first scrape.
			add(st.lastSuccess-h.flows.phase, "cams_collector_space_last_success_timestamp_seconds", "collector", collector, "space", space)
		}
		if st.code != "" {
			add(1, "cams_collector_space_error_info", "collector", collector, "space", space, "code", st.code)
		}
	}
	v := h.view(i, k)
	for _, n := range v.numbers {
		add(1, "cams_phone_number_state", "space", space, "phone_number", n.id, "status", n.status, "quality_rating", n.rating,
			"messaging_limit_tier", n.tier, "code_verification_status", n.codeVerification, "name_status", n.nameStatus)
		if limit, ok := tierLimits[n.tier]; ok {
			add(limit, "cams_phone_number_messaging_limit", "space", space, "phone_number", n.id)
		}
	}
	if w := v.waba; w != nil {
		add(boolFloat(w.id != ""), "cams_waba_bound", "space", space)
		if w.id != "" {
			add(1, "cams_waba_info", "space", space, "waba_id", w.id, "business_id", w.business, "account_review_status", w.review)
		}
	}
	if tv := h.templatesView(i, k); tv != nil {
		for _, status := range tv.statuses() {
			add(float64(tv.counts[status]), "cams_templates", "space", space, "audit_status", status)
		}
		for _, status := range []string{"paused", "disabled"} {
			add(float64(tv.changes[status]), "cams_template_status_changes_total", "space", space, "audit_status", status)
		}
	}
	if hv := v.health; hv != nil {
		add(1, "cams_messaging_health", "space", space, "node", "waba", "can_send_message", hv.waba)
		for n, state := range hv.phones {
			add(1, "cams_messaging_health", "space", space, "node", "phone", "phone_number", h.numberID(i, n), "can_send_message", state)
		}
		errs := map[[2]string]bool{}
		for _, e := range hv.entities {
			add(1, "cams_messaging_health_entity", "space", space, "entity_type", e.typ, "entity_id", e.id, "can_send_message", e.state)
			for _, code := range e.errors {
				if e.state != "AVAILABLE" { // error_info: BLOCKED and LIMITED entities only
					errs[[2]string{e.typ, code}] = true
				}
			}
		}
		for key := range errs {
			add(1, "cams_messaging_health_error_info", "space", space, "entity_type", key[0], "error_code", key[1])
		}
	}
	return out
}

// exporterSeries adds the exporter's own series of the sources at scrape
// k, counting every space.
func (h *healthAccount) exporterSeries(s *seriesSet, k int) {
	for collector, m := range h.sources() {
		// The first pass calls the spaces in order: those it has reached
		// are listed ever after; of those, the failing ones are down.
		t := m.at(k)
		reached := sort.Search(m.spaces, func(i int) bool { _, end := m.listed(i, 0); return end > t })
		listed := reached
		if collector == messagingHealthCollector {
			listed = h.called(reached)
		}
		down := 0
		for i := range m.failFrom {
			if st, ok := h.sourceAt(collector, i, k); ok && st.listed && !st.up {
				down++
			}
		}
		states := map[string]float64{"pending": float64(m.spaces - listed), "up": float64(listed - down), "down": float64(down)}
		for state, n := range states {
			s.set(seriesName("cams_collector_spaces", slices.Concat(h.exporterLabels(), []string{"collector", collector, "state", state})...), k, n)
		}
		c := slices.Concat(h.exporterLabels(), []string{"collector", collector})
		s.set(seriesName("cams_collector_interval_seconds", c...), k, m.interval)
		s.set(seriesName("cams_collector_expected_duration_seconds", c...), k, float64(m.spaces)/m.rate)
		rate := m.rate
		if collector == templatesCollector {
			rate *= templatePages // calls, not listings
		}
		s.set(seriesName("cams_collector_rate_limit_requests_per_second", c...), k, rate)
	}
}

// inputSeries is every series a rule reads: the flows' (the healthy
// account's, for the sample), the sources' own, and each source's series of
// the spaces in sample, and the cams_collector_space_error_info of every
// failing space (the rules count them).
func (h *healthAccount) inputSeries(sample []int) []inputSeries {
	s := newSeriesSet(h.flows.samples)
	inSample := map[int]bool{}
	for _, i := range sample {
		inSample[i] = true
	}
	failing := map[int]bool{}
	for _, m := range h.sources() {
		for i := range m.failFrom {
			failing[i] = true
		}
	}
	for k := range h.flows.samples {
		h.exporterSeries(s, k)
		for _, i := range sample {
			h.spaceSeries(s, i, k, nil)
		}
		for i := range failing {
			if !inSample[i] {
				h.spaceSeries(s, i, k, func(ser string) bool { return strings.HasPrefix(ser, "cams_collector_space_error_info{") })
			}
		}
	}
	return append(h.flows.series(sample), s.inputSeries()...)
}

// entitySeries is the cams_messaging_health_entity series of type typ that
// are not AVAILABLE (all the rules select) of spaces, at every scrape.
func (h *healthAccount) entitySeries(spaces []int, typ string) []inputSeries {
	s := newSeriesSet(h.flows.samples)
	names := map[[3]string]string{}
	for _, i := range spaces {
		for k := range h.flows.samples {
			st, ok := h.sourceAt(messagingHealthCollector, i, k)
			if !ok || math.IsNaN(st.read) {
				continue
			}
			for _, e := range h.entitiesAt(i, st.read) {
				if e.typ != typ || e.state == "AVAILABLE" {
					continue
				}
				key := [3]string{h.spaceID(i), e.id, e.state}
				name, ok := names[key]
				if !ok {
					name = seriesName("cams_messaging_health_entity", slices.Concat(h.exporterLabels(),
						[]string{"space", key[0], "entity_type", typ, "entity_id", e.id, "can_send_message", e.state})...)
					names[key] = name
				}
				s.set(name, k, 1)
			}
		}
	}
	return s.inputSeries()
}
