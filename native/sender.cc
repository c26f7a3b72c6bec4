#include "sender.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <pthread.h>

namespace falcon {

struct Sender::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::pair<uint32_t, std::vector<uint8_t>>> outbox;
  std::vector<Failure> failures;
  uv_async_t* async = nullptr;  // null once the loop side stopped
  bool stopping = false;
  bool sending = false;  // the thread is inside sendto()
  int fd = -1;

  ~State() {
    if (fd >= 0) close(fd);
  }
};

static void* Run(void* arg);
static int SendTo(int fd, const std::vector<uint8_t>& bytes);

Sender::Sender(uv_loop_t* loop, int fd, void* data, uv_async_cb onFailure)
    : state_(std::make_shared<State>()) {
  state_->fd = fd;
  async_ = new uv_async_t;
  async_->data = data;
  uv_async_init(loop, async_, onFailure);
  // Pending requests keep the loop alive through the poll handle, not this.
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  state_->async = async_;
  // The thread owns a reference of its own; it is detached, never joined,
  // so stopping never waits for a send the kernel is still processing.
  auto* threadRef = new std::shared_ptr<State>(state_);
  pthread_t thread;
  int error = pthread_create(&thread, nullptr, Run, threadRef);
  if (error != 0) {
    delete threadRef;
    startError_ = error;
    return;
  }
  pthread_detach(thread);
}

Sender::~Sender() { Stop(); }

void Sender::Post(uint32_t seq, std::vector<uint8_t> bytes) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->outbox.emplace_back(seq, std::move(bytes));
  }
  state_->wake.notify_one();
}

static int SendTo(int fd, const std::vector<uint8_t>& bytes) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel));
  } while (n < 0 && errno == EINTR);
  return n < 0 ? errno : 0;
}

int Sender::SendNowOrPost(uint32_t seq, std::vector<uint8_t> bytes) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->outbox.empty() || state_->sending) {
      state_->outbox.emplace_back(seq, std::move(bytes));
      state_->wake.notify_one();
      return 0;
    }
  }
  // Nothing ahead of us, and only the loop thread posts: order holds.
  return SendTo(state_->fd, bytes);
}

std::vector<Sender::Failure> Sender::TakeFailures() {
  std::vector<Failure> failures;
  std::lock_guard<std::mutex> lock(state_->mutex);
  failures.swap(state_->failures);
  return failures;
}

void Sender::Stop() {
  if (async_ == nullptr) return;
  {
    // Under the lock, so the thread never signals a handle being closed.
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    state_->async = nullptr;
    state_->outbox.clear();
  }
  state_->wake.notify_one();
  uv_close(reinterpret_cast<uv_handle_t*>(async_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
  async_ = nullptr;
  state_.reset();  // the thread holds the last reference while it runs
}

static void* Run(void* arg) {
  std::shared_ptr<Sender::State> state = std::move(*static_cast<std::shared_ptr<Sender::State>*>(arg));
  delete static_cast<std::shared_ptr<Sender::State>*>(arg);
  std::unique_lock<std::mutex> lock(state->mutex);
  for (;;) {
    state->wake.wait(lock, [&] { return state->stopping || !state->outbox.empty(); });
    if (state->stopping) return nullptr;
    auto [seq, bytes] = std::move(state->outbox.front());
    state->outbox.pop_front();
    state->sending = true;
    lock.unlock();
    int error = SendTo(state->fd, bytes);
    lock.lock();
    state->sending = false;
    if (error != 0) {
      state->failures.emplace_back(seq, error);
      if (state->async != nullptr) uv_async_send(state->async);
    }
  }
}

}  // namespace falcon
