//! What one change and one list cost the mock's model as it grows, in one criterion group so
//! the ratios come from one run:
//!
//! * `create/N`: one resource definition (automatic port) + its volume definition
//!   (automatic minor) + 3 resources (automatic node ids), then deleting them again, in a
//!   model that already holds N such definitions (3N resources). The goal: N = 30,000 costs
//!   at most 1.5x N = 1,000.
//! * `resource_list/N`: `LstRsc` answered and framed for N resources, as the server does it
//!   (`Model::encode_list`: each resource encoded as the list is walked). The goal: linear
//!   (100,000 at most 10.5x 10,000). `resource_list_typed/N`: the same bytes through the
//!   typed `MsgLstRsc` of `Model::apply`, the way before. `resource_list_paired`: both sizes
//!   listed in turn and the ratio taken per round (the ratio to read).
//!
//! Both are measured in the CPU time of the thread that does the work ([`ThreadCpu`]), not
//! in wall-clock time, so that other processes on the machine do not move the ratios.
//!
//! `cargo bench --bench mock_scale`.

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group};
use linstor_codec::Outgoing;
use linstor_mock::{Model, ModelConfig};
use linstor_proto::messages::{
    MsgCrtRsc, MsgCrtRscDfn, MsgCrtVlmDfn, MsgDelRscDfn, MsgHeader, MsgSetCtrlCfgProp, Rsc, RscDfn,
    VlmDfn,
};
use linstor_proto::{Request, ReturnCode};

const NODES: [&str; 3] = ["alpha", "bravo", "charlie"];

fn demo_with_ranges() -> Model {
    let mut m = Model::new(ModelConfig::default());
    m.seed_demo();
    // Room for 100,000 definitions in the automatic ranges.
    for (key, value) in [
        ("TcpPortAutoRange", "1025-65535"),
        ("MinorNrAutoRange", "1000-199999"),
    ] {
        let o = m.apply(Request::SetCfgVal(MsgSetCtrlCfgProp {
            key: key.into(),
            value: value.into(),
            namespace: None,
        }));
        assert!(
            o.entries().all(|e| !ReturnCode(e.ret_code).is_error()),
            "{key}: {o:?}"
        );
    }
    m
}

/// The requests that create definition `name` with one volume and three resources.
fn create(name: &str) -> [Request; 5] {
    let rsc = |node: &str| {
        Request::CrtRsc(MsgCrtRsc {
            rscs: vec![Rsc {
                name: name.into(),
                node_name: node.into(),
                props: vec![linstor_proto::messages::LinStorMapEntry {
                    key: "StorPoolName".into(),
                    value: "drbdpool".into(),
                }],
                ..Rsc::default()
            }],
        })
    };
    [
        Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: name.into(),
                ..RscDfn::default()
            },
        }),
        Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: name.into(),
            rsc_dfn_uuid: None,
            vlm_dfns: vec![VlmDfn {
                vlm_size: 1024,
                ..VlmDfn::default()
            }],
        }),
        rsc(NODES[0]),
        rsc(NODES[1]),
        rsc(NODES[2]),
    ]
}

fn apply_ok(m: &mut Model, r: Request) {
    let call = r.call();
    let o = m.apply(r);
    assert!(
        o.entries().all(|e| !ReturnCode(e.ret_code).is_error()),
        "{call}: {o:?}"
    );
}

fn with_definitions(n: usize) -> Model {
    let mut m = demo_with_ranges();
    for i in 0..n {
        for r in create(&format!("rsc{i:06}")) {
            apply_ok(&mut m, r);
        }
    }
    m
}

/// The CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): what the model's work
/// costs, whatever else the machine runs meanwhile. Shown like wall-clock time.
struct ThreadCpu;

fn thread_cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall-clock time.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn scale(c: &mut Criterion<ThreadCpu>) {
    let mut group = c.benchmark_group("mock_scale");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    for n in [1_000usize, 10_000, 30_000] {
        group.throughput(Throughput::Elements(1));
        // The model is built inside, so a filtered run does not build it.
        group.bench_function(format!("create/{n}"), |b| {
            let mut m = with_definitions(n);
            b.iter(|| {
                for r in create("extra") {
                    apply_ok(&mut m, r);
                }
                apply_ok(
                    &mut m,
                    Request::DelRscDfn(MsgDelRscDfn {
                        rsc_name: "extra".into(),
                        uuid: None,
                    }),
                );
            })
        });
    }
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        // Built by the first function that runs, so a filtered run does not build it.
        let mut model = None;
        // What the server does: the list encoded as the model walks it.
        group.bench_function(format!("resource_list/{n}"), |b| {
            let m = model.get_or_insert_with(|| with_definitions(n / 3));
            b.iter(|| encoded_list(m))
        });
        // The same answer through the typed message (`Model::apply`), then encoded.
        group.bench_function(format!("resource_list_typed/{n}"), |b| {
            let m = model.get_or_insert_with(|| with_definitions(n / 3));
            b.iter(|| typed_list(m))
        });
    }
    group.finish();
}

/// The `LstRsc` frame as the server makes it.
fn encoded_list(m: &Model) -> bytes::Bytes {
    let answers = m.encode_list(&Request::LstRsc(None)).expect("LstRsc");
    frame(answers[0].content, &answers[0].bodies)
}

/// The `LstRsc` frame through the typed answer of `Model::apply`.
fn typed_list(m: &mut Model) -> bytes::Bytes {
    let o = m.apply(Request::LstRsc(None));
    frame(o.immediate[0].content, &o.immediate[0].bodies)
}

/// The ANSWER frame of `bodies`.
fn frame<M: linstor_proto::WireMessage>(content: &'static str, bodies: &[M]) -> bytes::Bytes {
    let bodies: Vec<&dyn linstor_proto::WireMessage> = bodies
        .iter()
        .map(|b| b as &dyn linstor_proto::WireMessage)
        .collect();
    Outgoing::new(&MsgHeader::answer(1, content), &bodies).to_bytes()
}

/// `resource_list_paired`: 10,000 and 100,000 resources listed in turn, round after round,
/// and the ratio taken per round, so that a machine whose speed drifts between criterion's
/// separate measurements (it does, by 2x, on a shared VM) moves both sides of each ratio
/// alike. Prints the median ratio and its range, for the server's way and the typed one.
fn resource_list_paired() {
    const ROUNDS: usize = 15;
    let mut small = with_definitions(10_000 / 3);
    let mut large = with_definitions(100_000 / 3);
    let cpu = |f: &mut dyn FnMut() -> bytes::Bytes| {
        let start = thread_cpu_now();
        std::hint::black_box(f());
        thread_cpu_now() - start
    };
    let mut rows: [(&str, Vec<f64>, Vec<f64>); 2] = [
        ("resource_list", vec![], vec![]),
        ("resource_list_typed", vec![], vec![]),
    ];
    for _ in 0..ROUNDS {
        let s = cpu(&mut || encoded_list(&small));
        let l = cpu(&mut || encoded_list(&large));
        rows[0].1.push(s.as_secs_f64() * 1e3);
        rows[0].2.push(l.as_secs_f64() / s.as_secs_f64());
        let s = cpu(&mut || typed_list(&mut small));
        let l = cpu(&mut || typed_list(&mut large));
        rows[1].1.push(s.as_secs_f64() * 1e3);
        rows[1].2.push(l.as_secs_f64() / s.as_secs_f64());
    }
    println!("\nresource_list_paired: 100,000 vs 10,000 resources, {ROUNDS} rounds (thread CPU)");
    for (name, small_ms, ratios) in &mut rows {
        small_ms.sort_by(f64::total_cmp);
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name:<20} 10k median {:6.1} ms   100k/10k median {:5.2}x (min {:5.2}x, max {:5.2}x; goal <= 10.5x)",
            small_ms[ROUNDS / 2],
            ratios[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS - 1],
        );
    }
}

/// Whether the command line's filter (criterion's first free argument, a regular
/// expression as criterion reads it) selects `name`.
fn selected(name: &str) -> bool {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .is_none_or(|filter| regex::Regex::new(&filter).is_ok_and(|r| r.is_match(name)))
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = scale
}
/// The `linstor-mock` binary's allocator, so that the model costs here what it costs there.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    benches();
    if selected("mock_scale/resource_list_paired") {
        resource_list_paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
