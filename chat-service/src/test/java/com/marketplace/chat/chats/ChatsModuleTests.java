package com.marketplace.chat.chats;

import java.util.Arrays;
import java.util.Set;

import com.marketplace.chat.chats.ChatViews.CreateServiceChat;
import com.marketplace.chat.chats.ChatViews.ServiceChatView;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.ChatUser;
import com.marketplace.chat.testing.ClusterSettings;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.ApplicationModuleTest.BootstrapMode;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The chat directory on its own: its beans and those of the modules it uses directly
 * (security, problems), against the test database, with no message path, fan-out or
 * WebSocket layer in the context. The cluster settings are given as test properties,
 * which come after the cluster profile's start-up check, so it runs in the default
 * profile.
 */
@ApplicationModuleTest(mode = BootstrapMode.DIRECT_DEPENDENCIES)
class ChatsModuleTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ClusterSettings.forTests().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Autowired
	private ApplicationContext context;

	@Autowired
	private ServiceChatController controller;

	@Autowired
	private ChatAccess access;

	@Test
	void runsWithoutTheModulesAboveIt() {
		assertThat(Arrays.stream(this.context.getBeanDefinitionNames()).map(String::toLowerCase))
			.noneMatch((name) -> name.contains("chatrelay") || name.contains("groupcommitter")
					|| name.contains("chatsockethandler"));
	}

	@Test
	void aCreatedChatAdmitsItsTwoPartiesAndRefusesEveryoneElse() {
		long client = System.nanoTime() % 1_000_000_000L + 1_000_000_000L;
		long master = client + 1;
		ServiceChatView created = this.controller
			.create(new ChatUser(client, Set.of("client")), new CreateServiceChat(client, master))
			.getBody();
		assertThat(created).isNotNull();
		ChatKey key = new ChatKey(ChatKind.SERVICE, created.id());

		assertThat(this.access.isParticipant(new ChatUser(client, Set.of()), key)).isTrue();
		assertThat(this.access.isParticipant(new ChatUser(master, Set.of()), key)).isTrue();
		assertThat(this.access.isParticipant(new ChatUser(master + 1, Set.of()), key)).isFalse();
		assertThat(this.access.mayRead(new ChatUser(master + 1, Set.of(ChatUser.ADMIN)), key)).isTrue();
		assertThat(this.access.lastSeq(key)).isZero();
		assertThat(this.access.participants(key).orElseThrow().includes(master)).isTrue();

		assertThatExceptionOfType(ChatAccessDeniedException.class)
			.isThrownBy(() -> this.access.lastSeq(new ChatKey(ChatKind.SERVICE, Long.MAX_VALUE)));
		assertThatExceptionOfType(ChatProblem.class)
			.isThrownBy(() -> this.controller.create(new ChatUser(master + 1, Set.of("client")),
					new CreateServiceChat(client, master)))
			.satisfies((problem) -> assertThat(problem.code()).isEqualTo("forbidden"));
		assertThat(this.controller.create(new ChatUser(master, Set.of("master")), new CreateServiceChat(client, master))
			.getStatusCode()).as("the same pair again is the same chat").isEqualTo(HttpStatus.OK);
	}

}
