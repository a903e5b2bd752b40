//! Property test of the model: sequences of up to 50 generated calls
//! (`linstor_tests::model_gen`, the generator of the `model_calls` fuzz target) applied to a
//! fresh and to a demo-seeded model keep every invariant of `Model::check_invariants`
//! after each call (`docs/controller-rules.md#invariants-the-model-keeps`).

use arbitrary::Unstructured;
use linstor_mock::Model;
use linstor_tests::model_gen;
use proptest::prelude::*;

/// Calls per sequence, at most.
const CALLS: usize = 50;

fn sequence(seeded: bool, bytes: &[u8]) -> Result<usize, TestCaseError> {
    let mut model = Model::default();
    if seeded {
        model.seed_demo();
    }
    let mut u = Unstructured::new(bytes);
    model_gen::run(&mut model, seeded, &mut u, CALLS)
        .map_err(|failure| TestCaseError::fail(failure.to_string()))
}

proptest! {
    // PROPTEST_CASES (256 by default, as in CI) sets the number of cases.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn a_fresh_model_keeps_its_invariants(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        sequence(false, &bytes)?;
    }

    #[test]
    fn a_demo_model_keeps_its_invariants(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        sequence(true, &bytes)?;
    }
}

/// Bytes of a fixed xorshift stream, for inputs that do not change between runs.
fn stream(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// The generator reaches beyond empty models: over fixed byte streams on the demo cluster,
/// sequences keep resources, so the invariants about volumes and streams are exercised.
#[test]
fn generated_sequences_build_resources() {
    let (mut calls, mut resources) = (0, 0);
    for seed in 0..64 {
        let mut model = Model::default();
        model.seed_demo();
        let bytes = stream(seed, 2048);
        let mut u = Unstructured::new(&bytes);
        calls += model_gen::run(&mut model, true, &mut u, CALLS).unwrap_or_else(|f| panic!("{f}"));
        resources += model.resources().len();
    }
    assert!(calls >= 64 * 40, "only {calls} calls generated");
    assert!(
        resources >= 4,
        "only {resources} resources left over 64 sequences"
    );
}
