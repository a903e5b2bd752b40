//! Fuzzes the mock's model: the bytes become a sequence of typed calls
//! (`linstor_tests::model_gen`) applied to a fresh or demo-seeded `Model`; every invariant
//! of `Model::check_invariants` must hold after each call.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    linstor_tests::model_gen::model_calls(data);
});
