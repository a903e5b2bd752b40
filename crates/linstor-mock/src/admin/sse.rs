//! `GET /api/v1/events`: Server-Sent Events of the hub's broadcast: `journal` (an entry),
//! `stream` (an event-stream value or close), `connection` (opened, closed), `model` (the
//! model was replaced) and `lagged` (this subscriber missed that many events: reload). The
//! stream ends when the controller stops.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::server::Inner;

pub(crate) fn events(inner: Arc<Inner>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = inner.admin.subscribe();
    let stop = inner.stop.clone();
    let stream = futures::stream::unfold((rx, stop), |(mut rx, stop)| async move {
        let event = tokio::select! {
            _ = stop.cancelled() => return None,
            received = rx.recv() => match received {
                Ok(event) => Event::default().event(event.kind).data(event.data.as_str()),
                Err(RecvError::Lagged(n)) => Event::default()
                    .event("lagged")
                    .data(format!("{{\"missed\":{n}}}")),
                Err(RecvError::Closed) => return None,
            },
        };
        Some((Ok(event), (rx, stop)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
