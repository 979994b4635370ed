// Package templates is the message-templates source (--collector.templates):
// ListChatappTemplate, page by page, for each space every
// --templates.interval, on its own limiter, and the series of each space's
// templates: how many there are by audit status and by category, the
// templates that cannot be sent (problems), whether the space's last
// listing disagreed with its Total, and how often templates were paused
// or disabled.
//
// The problem templates' series (cams_template_problem_info) are bounded
// across the exporter by --templates.max-problem-series: a budget that a
// space's complete listing draws on (Apply), which its part records
// (Templates.ProblemSeries) so that its series depend on the part alone, as
// the exposition requires. Only the parts in the engine's state hold a
// share (the source is an engine.Holder): a space that leaves the list
// gives its share back, a part restored from the cache or back within its
// grace claims its own again, and the problem templates without a series
// are counted as a whole (Budget, cams_template_problem_series_folded).
package templates
