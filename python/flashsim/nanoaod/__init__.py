"""NanoAOD files as FlashSim writes them (with uproot): what every writer needs to agree on."""

from flashsim.nanoaod.uproot_writing import (
    CLUSTER_SIZE,
    extend_in_clusters,
    make_events_tree,
    read_json_tnamed,
    set_counter_types,
    tnamed,
    types_of,
    write_flat_events,
)

__all__ = [
    "CLUSTER_SIZE", "extend_in_clusters", "make_events_tree", "read_json_tnamed", "set_counter_types", "tnamed",
    "types_of", "write_flat_events",
]
