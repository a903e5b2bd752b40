//! [`Watch`]: a `futures::Stream` of the events of one watch. A watch on one object (node
//! and resource, or node, resource and volume) ends after that object's stream closes, with
//! the close event (`CloseRemoved` or `CloseNoConnection`) as its last item; any watch ends
//! after an error item: `Disconnected` when the connection is lost, `WatchOverflow` when the
//! stream was not read fast enough (never silent loss). Dropping it deletes the watch on the
//! controller (also when the connection's command queue is full).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::answers::Answers;
use linstor_proto::consts::events;

use crate::connection::{Control, Event, EventAction};
use crate::requests::ObjectIdentifier;
use crate::{Client, ClientError};
use linstor_proto::Request;
use linstor_proto::messages::MsgDelWatch;

/// The events of one watch, in arrival order.
#[derive(Debug)]
pub struct Watch {
    pub(crate) watch_id: i32,
    pub(crate) events: mpsc::Receiver<Result<Event, ClientError>>,
    pub(crate) client: Client,
    /// The `CrtWatch` answers (`Watch created`, or the error).
    pub(crate) reply: Answers,
    pub(crate) ended: bool,
    /// The watched object (decides which close ends the watch).
    pub(crate) object: ObjectIdentifier,
}

impl Watch {
    /// The watch id.
    pub fn id(&self) -> i32 {
        self.watch_id
    }

    /// Whether `event` closes the one object this watch observes.
    fn closes_watch(&self, event: &Event) -> bool {
        let closing = matches!(
            event.action,
            EventAction::CloseRemoved | EventAction::CloseNoConnection
        );
        let o = &self.object;
        let single = match (&o.node_name, &o.resource_name, o.volume_number) {
            (Some(_), Some(_), None) => event.event_name == events::RESOURCE_STATE,
            (Some(_), Some(_), Some(_)) => event.event_name == events::VOLUME_DISK_STATE,
            _ => false,
        };
        closing && single
    }

    /// The answers of the `CrtWatch` call.
    pub fn reply(&self) -> &Answers {
        &self.reply
    }

    /// The next event; `None` once the watch has ended (after its error item).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: an event is either returned or stays queued.
    pub async fn next_event(&mut self) -> Option<Result<Event, ClientError>> {
        if self.ended {
            return None;
        }
        let item = self.events.recv().await;
        match item {
            Some(Ok(e)) => {
                self.ended = self.closes_watch(&e);
                Some(Ok(e))
            }
            Some(Err(e)) => {
                self.ended = true;
                Some(Err(e))
            }
            None => {
                self.ended = true;
                Some(Err(self.client.disconnected()))
            }
        }
    }
}

impl Stream for Watch {
    type Item = Result<Event, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.events.poll_recv(cx) {
            Poll::Ready(Some(Ok(e))) => {
                self.ended = self.closes_watch(&e);
                Poll::Ready(Some(Ok(e)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.ended = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                self.ended = true;
                let e = self.client.disconnected();
                Poll::Ready(Some(Err(e)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Watch {
    /// Unregisters the watch and deletes it on the controller, through the connection's
    /// control channel (never lost to a full command queue).
    fn drop(&mut self) {
        // Closed before the task hears of it: a `CrtWatch` still queued is then never sent.
        self.events.close();
        let id = self
            .client
            .inner
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let request = Request::DelWatch(MsgDelWatch {
            watch_id: self.watch_id,
        });
        match crate::client::encode_frame(id, &request) {
            Ok(frame) => {
                let _ = self.client.inner.control.send(Control::Unwatch {
                    watch_id: self.watch_id,
                    frame,
                });
            }
            Err(e) => tracing::warn!(watch_id = self.watch_id, "cannot build DelWatch: {e}"),
        }
    }
}
