//! Fuzzes frame decoding on a byte stream: no panic, decoded frames re-encode identically.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    linstor_codec::fuzzing::frames_round_trip(data);
});
