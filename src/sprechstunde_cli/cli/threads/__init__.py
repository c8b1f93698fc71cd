"""Working the threads while `open` runs: threads, show, reply, claim, release, tail, media,
followup."""
