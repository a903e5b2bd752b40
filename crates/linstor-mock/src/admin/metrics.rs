//! Prometheus metrics of one controller (`GET /metrics`, text format): calls by name and
//! outcome, call durations, connections, watches, events sent and the journal's size. The
//! counters are updated where the journal records a call and where events are delivered;
//! the gauges are read when the metrics are scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of a call counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct CallLabels {
    pub call: &'static str,
    pub outcome: &'static str,
}

/// Label of the duration histogram.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct CallName {
    pub call: &'static str,
}

/// The metrics and the registry that encodes them.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    pub calls: Family<CallLabels, Counter>,
    pub duration: Family<CallName, Histogram, fn() -> Histogram>,
    pub events_sent: Counter,
    pub connections: Gauge,
    pub watches: Gauge,
    pub journal_entries: Gauge,
    pub journal_dropped: Gauge,
}

fn duration_histogram() -> Histogram {
    // 10 µs to ~2.6 s.
    Histogram::new(exponential_buckets(0.000_01, 4.0, 10))
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("linstor_mock");
        let calls = Family::<CallLabels, Counter>::default();
        let duration: Family<CallName, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(duration_histogram);
        let events_sent = Counter::default();
        let connections = Gauge::default();
        let watches = Gauge::default();
        let journal_entries = Gauge::default();
        let journal_dropped = Gauge::default();
        registry.register("calls", "API calls by name and outcome", calls.clone());
        registry.register(
            "call_duration_seconds",
            "Time from a request's arrival to its answers being decided",
            duration.clone(),
        );
        registry.register(
            "events_sent",
            "Event frames queued to watches",
            events_sent.clone(),
        );
        registry.register("connections", "Open connections", connections.clone());
        registry.register("watches", "Open watches", watches.clone());
        registry.register(
            "journal_entries",
            "Entries held by the request journal",
            journal_entries.clone(),
        );
        registry.register(
            "journal_dropped_entries",
            "Journal entries dropped because of its bounds",
            journal_dropped.clone(),
        );
        Metrics {
            registry,
            calls,
            duration,
            events_sent,
            connections,
            watches,
            journal_entries,
            journal_dropped,
        }
    }

    /// The text exposition format.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!("metrics did not encode: {e}");
        }
        out
    }
}
