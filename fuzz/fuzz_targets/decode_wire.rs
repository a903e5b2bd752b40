//! Fuzzes the inspector's decoder on any input format (raw stream, hex, recording, pcap,
//! pcapng): no panic, bounded memory, frames found are the input's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    linstor_wire::fuzzing::decode_any(data);
});
