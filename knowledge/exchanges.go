package knowledge

import (
	"time"
)

// ExchangeTTL is how long an answer can be followed up.
const ExchangeTTL = 30 * 24 * time.Hour
