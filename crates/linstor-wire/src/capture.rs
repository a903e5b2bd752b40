//! pcap and pcapng captures: packets parsed with `pcap-file` and `etherparse`, TCP
//! reassembled per connection and direction for the controller ports, each direction's
//! stream split into frames by a [`StreamDecoder`]. Out-of-order segments are held up to
//! [`MAX_OUT_OF_ORDER`] bytes per direction; past that, or at the end, what is missing is
//! reported as a gap.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};

use crate::WireError;
use crate::input::{DecodeOptions, Format, decoded_record, detect};
use crate::record::{Direction, Record, RecordKind};
use crate::stream::StreamDecoder;

/// Out-of-order bytes held per direction before the missing part is given up as a gap.
pub const MAX_OUT_OF_ORDER: usize = 8 << 20;

/// One captured TCP segment with payload.
struct Segment<'a> {
    time_us: u64,
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    syn: bool,
    payload: &'a [u8],
}

/// One direction of one connection.
struct Flow {
    conn: u64,
    dir: Direction,
    /// Sequence number of stream offset 0.
    base: Option<u32>,
    /// Stream offset of the next byte expected.
    next: u64,
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    decoder: StreamDecoder,
}

impl Flow {
    fn new(conn: u64, dir: Direction, max_payload: u32) -> Flow {
        Flow {
            conn,
            dir,
            base: None,
            next: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            decoder: StreamDecoder::with_max_payload(max_payload),
        }
    }

    fn deliver(&mut self, time_us: u64, data: &[u8], out: &mut Vec<Record>) {
        let mut found = Vec::new();
        self.decoder.push(data, &mut found);
        self.next += data.len() as u64;
        out.extend(
            found
                .into_iter()
                .map(|d| decoded_record(d, time_us, self.conn, self.dir)),
        );
    }

    fn segment(&mut self, seg: &Segment<'_>, out: &mut Vec<Record>) {
        if seg.syn {
            self.base = Some(seg.seq.wrapping_add(1));
        }
        if seg.payload.is_empty() {
            return;
        }
        let base = *self.base.get_or_insert(seg.seq);
        let start = u64::from(seg.seq.wrapping_sub(base));
        let end = start + seg.payload.len() as u64;
        if end <= self.next {
            return; // a retransmission of bytes already delivered
        }
        if start <= self.next {
            let skip = (self.next - start) as usize;
            self.deliver(seg.time_us, &seg.payload[skip..], out);
            self.drain_pending(seg.time_us, out);
        } else {
            if self.pending_bytes + seg.payload.len() > MAX_OUT_OF_ORDER {
                self.give_up_gap(seg.time_us, out);
                return self.segment(seg, out);
            }
            self.pending_bytes += seg.payload.len();
            self.pending.insert(start, seg.payload.to_vec());
        }
    }

    fn drain_pending(&mut self, time_us: u64, out: &mut Vec<Record>) {
        while let Some((&start, _)) = self.pending.first_key_value() {
            if start > self.next {
                break;
            }
            let Some((_, data)) = self.pending.pop_first() else {
                break;
            };
            self.pending_bytes -= data.len();
            let end = start + data.len() as u64;
            if end > self.next {
                let skip = (self.next - start) as usize;
                self.deliver(time_us, &data[skip..], out);
            }
        }
    }

    /// Skips to the first held segment, reporting the bytes lost.
    fn give_up_gap(&mut self, time_us: u64, out: &mut Vec<Record>) {
        let Some((&start, _)) = self.pending.first_key_value() else {
            return;
        };
        let lost = start - self.next;
        let mut found = Vec::new();
        self.decoder.gap(lost, &mut found);
        out.extend(
            found
                .into_iter()
                .map(|d| decoded_record(d, time_us, self.conn, self.dir)),
        );
        self.next = start;
        self.drain_pending(time_us, out);
    }

    fn finish(&mut self, time_us: u64, out: &mut Vec<Record>) {
        while !self.pending.is_empty() {
            self.give_up_gap(time_us, out);
        }
        let mut found = Vec::new();
        self.decoder.finish(&mut found);
        out.extend(
            found
                .into_iter()
                .map(|d| decoded_record(d, time_us, self.conn, self.dir)),
        );
    }
}

/// All connections of a capture.
struct Flows<'o> {
    options: &'o DecodeOptions,
    /// Where the records go, as they are found.
    sink: &'o mut dyn FnMut(Record),
    /// (client, controller) -> connection number.
    conns: HashMap<(SocketAddr, SocketAddr), u64>,
    flows: HashMap<(u64, Direction), Flow>,
    /// Records found by the last step, not yet given to the sink.
    records: Vec<Record>,
    last_time: u64,
    /// Connections numbered so far.
    count: u64,
}

impl Flows<'_> {
    fn segment(&mut self, seg: Segment<'_>) {
        self.last_time = seg.time_us;
        let (client, controller, dir) = if self.options.ports.contains(&seg.dst.port()) {
            (seg.src, seg.dst, Direction::ToController)
        } else if self.options.ports.contains(&seg.src.port()) {
            (seg.dst, seg.src, Direction::ToClient)
        } else {
            return;
        };
        let key = (client, controller);
        // A SYN from the client on a known address pair starts a new connection.
        if seg.syn
            && dir == Direction::ToController
            && let Some(old) = self.conns.remove(&key)
        {
            self.close(old);
        }
        let conn = match self.conns.get(&key) {
            Some(&conn) => conn,
            None => {
                self.count += 1;
                self.conns.insert(key, self.count);
                self.count
            }
        };
        let max_payload = self.options.max_payload;
        let flow = self
            .flows
            .entry((conn, dir))
            .or_insert_with(|| Flow::new(conn, dir, max_payload));
        flow.segment(&seg, &mut self.records);
        self.flush();
    }

    fn flush(&mut self) {
        for r in self.records.drain(..) {
            (self.sink)(r);
        }
    }

    /// Ends a connection: its partial frames are reported and its state is dropped.
    fn close(&mut self, conn: u64) {
        for dir in [Direction::ToController, Direction::ToClient] {
            if let Some(mut flow) = self.flows.remove(&(conn, dir)) {
                flow.finish(self.last_time, &mut self.records);
            }
        }
        self.flush();
    }

    fn finish(mut self) {
        let mut conns: Vec<u64> = self.conns.values().copied().collect();
        conns.sort_unstable();
        for conn in conns {
            self.close(conn);
        }
    }
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A TCP segment from one link-layer packet, if it is one.
fn parse_packet(link: DataLink, time_us: u64, data: &[u8]) -> Option<Segment<'_>> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data).ok()?,
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data).ok()?,
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data).ok()?,
        DataLink::NULL | DataLink::LOOP => SlicedPacket::from_ip(data.get(4..)?).ok()?,
        _ => return None,
    };
    let (src, dst): (IpAddr, IpAddr) = match sliced.net? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Arp(_) => return None,
    };
    let TransportSlice::Tcp(tcp) = sliced.transport? else {
        return None;
    };
    Some(Segment {
        time_us,
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        payload: tcp.payload(),
    })
}

fn bad_capture(data: &[u8], rest: &[u8], error: &pcap_file::PcapError) -> WireError {
    WireError::BadCapture {
        offset: data.len() - rest.len(),
        reason: error.to_string(),
    }
}

/// A record for a capture that stops parsing at `offset`; what came before is kept.
fn capture_error(offset: usize, reason: String, time_us: u64) -> Record {
    let mut r = Record::new(RecordKind::Error, time_us, 0, Direction::Unknown);
    r.offset = offset as u64;
    r.error = Some(format!(
        "capture unreadable from file offset {offset}: {reason}"
    ));
    r
}

/// Decodes a pcap or pcapng capture into records. A capture that breaks off (truncated,
/// corrupt) keeps what came before and ends with an error record naming the file offset.
///
/// # Errors
///
/// [`WireError::BadCapture`] when the file header itself does not parse.
pub fn decode_capture(data: &[u8], options: &DecodeOptions) -> Result<Vec<Record>, WireError> {
    let mut records = Vec::new();
    decode_capture_each(data, options, &mut |r| records.push(r))?;
    Ok(records)
}

/// As [`decode_capture`], giving each record to `sink` as soon as it is found, so memory
/// does not grow with the number of frames.
///
/// # Errors
///
/// As [`decode_capture`].
pub fn decode_capture_each(
    data: &[u8],
    options: &DecodeOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<(), WireError> {
    let mut flows = Flows {
        options,
        sink: &mut *sink,
        conns: HashMap::new(),
        flows: HashMap::new(),
        records: Vec::new(),
        last_time: 0,
        count: 0,
    };
    let mut broken = None;
    if detect(data) == Format::Pcap {
        let (mut rest, parser) = PcapParser::new(data).map_err(|e| bad_capture(data, data, &e))?;
        let link = parser.header().datalink;
        while !rest.is_empty() {
            match parser.next_packet(rest) {
                Ok((tail, packet)) => {
                    if let Some(seg) = parse_packet(link, micros(packet.timestamp), &packet.data) {
                        flows.segment(seg);
                    }
                    rest = tail;
                }
                Err(e) => {
                    broken = Some((data.len() - rest.len(), e.to_string()));
                    break;
                }
            }
        }
    } else {
        let (mut rest, mut parser) =
            PcapNgParser::new(data).map_err(|e| bad_capture(data, data, &e))?;
        while !rest.is_empty() {
            match parser.next_block(rest) {
                Ok((tail, block)) => {
                    let packet = match block {
                        Block::EnhancedPacket(p) => {
                            let link = parser
                                .packet_interface(&p)
                                .map_or(DataLink::ETHERNET, |i| i.linktype);
                            Some((link, micros(p.timestamp), p.data))
                        }
                        Block::SimplePacket(p) => {
                            let link = parser
                                .interfaces()
                                .first()
                                .map_or(DataLink::ETHERNET, |i| i.linktype);
                            Some((link, flows.last_time, p.data))
                        }
                        _ => None,
                    };
                    if let Some((link, time, bytes)) = packet
                        && let Some(seg) = parse_packet(link, time, &bytes)
                    {
                        flows.segment(seg);
                    }
                    rest = tail;
                }
                Err(e) => {
                    broken = Some((data.len() - rest.len(), e.to_string()));
                    break;
                }
            }
        }
    }
    let last_time = flows.last_time;
    flows.finish();
    if let Some((offset, reason)) = broken {
        sink(capture_error(offset, reason, last_time));
    }
    Ok(())
}
