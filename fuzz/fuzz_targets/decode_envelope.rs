//! Fuzzes payload decoding: MsgHeader, delimited bodies and typed bodies through the tables.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    linstor_codec::fuzzing::envelope_round_trip(data);
});
