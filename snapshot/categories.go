package snapshot

// Bounds of the category values the exporter keeps.
const (
	// MaxUndocumentedCategories is how many distinct categories outside
	// client.DocumentedCategories the exporter keeps under their own name,
	// across all spaces, the first seen first kept, for as long as it runs.
	MaxUndocumentedCategories = 30
	// OtherCategory stands for every category past those: a flow carrying
	// any of them carries OtherCategory instead, once.
	OtherCategory = "_other"
)
