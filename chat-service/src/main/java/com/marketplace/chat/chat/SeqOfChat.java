package com.marketplace.chat.chat;

/** A chat's id and {@code last_seq}, read in bulk. */
interface SeqOfChat {

	Long getId();

	Long getLastSeq();

}
